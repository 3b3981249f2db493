package dev.tollgate.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tollgate.gateway.OpenAiError;
import dev.tollgate.gateway.OpenAiException;
import io.quarkus.security.ForbiddenException;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * One place that turns exceptions into the error format each caller expects: OpenAI error JSON under
 * /v1, RFC 9457 problem details under /api, and plain pages for the console. Never a stack trace.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    /** About what a PostgreSQL restart takes; an SDK or a script waits it rather than retrying at once. */
    private static final String DATABASE_RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response openAi(OpenAiException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(e.body()).build();
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e, UriInfo uri) {
        if (isGateway(uri)) {
            String field = e.fieldErrors().keySet().iterator().next();
            return gatewayError(400, field, describe(e.fieldErrors()));
        }
        return Problem.invalid(e.fieldErrors(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.merge(fieldOf(v), v.getMessage(), (a, b) -> a + "; " + b);
        }
        return invalidInput(new InvalidInputException(errors), uri);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            errors.put(field, e instanceof UnrecognizedPropertyException u ? notAField(u) : "has the wrong type or format");
        } else {
            errors.put("body", "is not valid JSON: " + e.getOriginalMessage());
        }
        return invalidInput(new InvalidInputException(errors), uri);
    }

    /** A field the request does not have (a typo, most likely): the message lists the ones it takes. */
    public static String notAField(UnrecognizedPropertyException e) {
        return "is not a field of this request; it takes " + e.getKnownPropertyIds().stream()
                .map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** Quarkus maps this one itself with an empty body unless told otherwise: wrong types and formats. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return unreadableJson(e, uri);
    }

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e, UriInfo uri) {
        return conflict(uri, "Someone else changed this object meanwhile; reload and try again.");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        if (isApi(uri)) {
            return Problem.response(403, "Forbidden", "Your role does not allow this action.", uri.getPath());
        }
        return Response.status(403).type(MediaType.TEXT_PLAIN).entity("Your role does not allow this action.").build();
    }

    /** A unique key hit by a concurrent change that the service's own check could not see yet. */
    @ServerExceptionMapper
    public Response conflict(org.hibernate.exception.ConstraintViolationException e, UriInfo uri) {
        return conflict(uri, "This conflicts with existing data (made by someone else at the same moment, say);"
                + " reload and try again.");
    }

    /** The API's problem, or a page a browser shows (never JSON in the console). */
    private static Response conflict(UriInfo uri, String message) {
        if (isApi(uri)) {
            return Problem.response(409, "Conflict", message, uri.getPath());
        }
        return Response.status(409).type(MediaType.TEXT_PLAIN).entity(message + " Go back to the form.").build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri, Request request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadableJson(json, uri);
        }
        int status = e.getResponse().getStatus();
        String reason = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        if (isGateway(uri)) {
            if (status == 404 || status == 405) {
                // Most likely an SDK call Tollgate does not serve (embeddings, the responses API): say what it does
                // serve, in OpenAI's own answer to a URL it does not know (type invalid_request_error, no code).
                return Response.status(status).type(MediaType.APPLICATION_JSON).entity(OpenAiError.of("Invalid URL ("
                        + request.getMethod() + " " + uri.getPath() + "). Tollgate serves POST /v1/chat/completions,"
                        + " GET /v1/models and GET /v1/models/{model}.", "invalid_request_error", null, null)).build();
            }
            return gatewayError(status, null, reason);
        }
        if (isApi(uri)) {
            return Problem.response(status, reason, e.getMessage(), uri.getPath());
        }
        return e.getResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        if (isUnstorableValue(e)) {
            String message = "A value cannot be stored: text must not contain NUL characters nor be longer than its"
                    + " field allows, and dates must lie within the database's range (4713 BC to 294276 AD).";
            if (isApi(uri)) {
                return Problem.response(400, "Bad Request", message, uri.getPath());
            }
            return Response.status(400).type(MediaType.TEXT_PLAIN).entity(message).build();
        }
        if (isTooManyFormFields(e)) {
            String message = "The form has too many fields; none of the console's forms has more than a few dozen.";
            if (isApi(uri)) {
                return Problem.response(413, "Content Too Large", message, uri.getPath());
            }
            return Response.status(413).type(MediaType.TEXT_PLAIN).entity(message).build();
        }
        SQLException unreachable = DatabaseUnreachable.in(e);
        if (unreachable != null) {
            // an operational state, not a defect: the health page's database check says DOWN meanwhile, and no stack
            // trace helps
            LOG.warnf("Database unreachable on %s: %s", uri.getPath(), unreachable.getMessage());
            String message = "Tollgate's database is not answering (restarting, say); retry in a few seconds.";
            Response.ResponseBuilder answer = Response.fromResponse(isGateway(uri) ? gatewayError(503, null, message)
                    : isApi(uri) ? Problem.response(503, "Service Unavailable", message, uri.getPath())
                    : Response.status(503).type(MediaType.TEXT_PLAIN).entity(message).build());
            return answer.header("Retry-After", DATABASE_RETRY_AFTER_SECONDS).build();
        }
        LOG.error("Unexpected error on " + uri.getPath(), e);
        if (isGateway(uri)) {
            // the code the chat route gives a defect too (docs/api.md), so clients need to know only one
            return Response.status(500).type(MediaType.APPLICATION_JSON).entity(OpenAiError.of(
                    "Internal error in the gateway; the request id in the response headers helps us find it.",
                    OpenAiError.typeFor(500), null, "internal_error")).build();
        }
        if (isApi(uri)) {
            return Problem.response(500, "Internal Server Error", "Unexpected error; see the server log for this request id.",
                    uri.getPath());
        }
        return Response.status(500).type(MediaType.TEXT_PLAIN).entity("Something went wrong. Please try again.").build();
    }

    /**
     * PostgreSQL refused a value as data (SQLSTATE class 22: a NUL character in text, a date past its range),
     * wherever Hibernate or the transaction wrapped it: the caller's input, so a 400, not a 500.
     */
    private static boolean isUnstorableValue(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    /** The REST layer's form reader refuses a form past its field limit with a bare RuntimeException. */
    private static boolean isTooManyFormFields(Exception e) {
        return e.getClass() == RuntimeException.class && e.getMessage() != null
                && e.getMessage().matches("Param limit of \\d+ was exceeded");
    }

    private static Response gatewayError(int status, String param, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(OpenAiError.of(message, OpenAiError.typeFor(status), param, OpenAiError.typeFor(status)))
                .build();
    }

    private static String describe(Map<String, String> errors) {
        return errors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "));
    }

    // "create.input.slug" -> "slug": the method and parameter names mean nothing to the caller.
    private static String fieldOf(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        String[] parts = path.split("\\.", 3);
        return parts.length == 3 ? parts[2] : parts[parts.length - 1];
    }

    private static boolean isGateway(UriInfo uri) {
        String path = uri.getPath();
        return path.startsWith("/v1/") || path.equals("/chat/completions") || path.equals("/models")
                || path.startsWith("/models/");
    }

    private static boolean isApi(UriInfo uri) {
        return uri.getPath().startsWith("/api/");
    }
}
