package dev.tollgate.pricing;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.tollgate.platform.ErrorMappers;
import dev.tollgate.platform.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Price book errors as RFC 9457 problem details with the field at fault, like invalid input. */
public class PricingErrorMapper {

    @ServerExceptionMapper
    public Response conflict(PriceConflictException e, UriInfo uri) {
        var errors = e.fieldErrors().entrySet().stream()
                .map(f -> new Problem.FieldError(f.getKey(), f.getValue())).toList();
        Problem p = new Problem("about:blank", "Conflict", 409, e.getMessage(), uri.getPath(), errors);
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    /**
     * A JSON value of the wrong type or format (a token class that does not exist, a time that is not
     * one) as a field error saying what is expected. Quarkus' own mapper for these has no field details.
     */
    static Response invalidJson(MismatchedInputException e, UriInfo uri) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return Problem.invalid(Map.of(field.isEmpty() ? "body" : field, expected(e)), uri.getPath());
    }

    private static String expected(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return ErrorMappers.notAField(u);
        }
        Class<?> type = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        if (type == TokenClass.class) {
            return "must be one of " + Arrays.stream(TokenClass.values()).map(TokenClass::wireName)
                    .collect(Collectors.joining(", "));
        }
        if (type == Instant.class) {
            return "must be an ISO-8601 instant, such as 2026-05-31T15:59:00Z";
        }
        if (type == LocalTime.class) {
            return "must be a UTC time of day, such as 16:30";
        }
        return "has the wrong type or format";
    }
}
