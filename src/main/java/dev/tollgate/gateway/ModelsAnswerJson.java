package dev.tollgate.gateway;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The model routes answer JSON whatever the request's {@code Accept} says, as OpenAI's and DeepSeek's do (and as the
 * chat route does). Left to content negotiation, {@code Accept: text/plain} was a 406, and one that came before the
 * key check.
 */
public class ModelsAnswerJson {

    @ServerRequestFilter(preMatching = true)
    public void answerJson(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.equals("/v1/models") || path.startsWith("/v1/models/") || path.equals("/models")
                || path.startsWith("/models/")) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
        }
    }
}
