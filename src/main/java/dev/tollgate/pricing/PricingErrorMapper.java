package dev.tollgate.pricing;

import dev.tollgate.platform.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Price book conflicts as RFC 9457 problem details with the field at fault, like invalid input. */
public class PricingErrorMapper {

    @ServerExceptionMapper
    public Response conflict(PriceConflictException e, UriInfo uri) {
        var errors = e.fieldErrors().entrySet().stream()
                .map(f -> new Problem.FieldError(f.getKey(), f.getValue())).toList();
        Problem p = new Problem("about:blank", "Conflict", 409, e.getMessage(), uri.getPath(),
                errors);
        return Response.status(409).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
