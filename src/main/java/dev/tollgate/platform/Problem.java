package dev.tollgate.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** RFC 9457 problem details, the error format of the admin API. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        List<FieldError> errors) {

    public static final MediaType MEDIA_TYPE = new MediaType("application", "problem+json");

    public record FieldError(String field, String message) {
    }

    public static Response response(int status, String title, String detail, String instance) {
        return build(new Problem("about:blank", title, status, detail, instance, null));
    }

    public static Response invalid(Map<String, String> fieldErrors, String instance) {
        List<FieldError> errors = fieldErrors.entrySet().stream()
                .map(e -> new FieldError(e.getKey(), e.getValue())).toList();
        return build(new Problem("about:blank", "Invalid input", 400,
                "One or more fields are invalid: " + String.join(", ", fieldErrors.keySet()), instance, errors));
    }

    private static Response build(Problem problem) {
        return Response.status(problem.status()).type(MEDIA_TYPE).entity(problem).build();
    }
}
