package dev.tollgate.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A console error that has no page of its own (a 404, the CSRF check's bare 400, a plain-text 403, 409 or 415)
 * is shown as a small console page with a way back, not as the browser's own error page. Form pages with
 * inline errors are left as they are.
 */
public class ConsoleErrorPages {

    @CheckedTemplate(basePath = "errors")
    static class Templates {
        static native TemplateInstance page(String title, String message);
    }

    @ServerResponseFilter
    public void showAsConsolePage(ContainerRequestContext request, ContainerResponseContext response) {
        int status = response.getStatus();
        Object entity = response.getEntity();
        boolean plain = entity == null || entity instanceof String && !MediaType.TEXT_HTML_TYPE
                .isCompatible(response.getMediaType() == null ? MediaType.TEXT_PLAIN_TYPE : response.getMediaType());
        if (status < 400 || !plain || !request.getUriInfo().getPath().startsWith("/console")) {
            return;
        }
        String message = entity instanceof String s && !s.isBlank() ? s : message(status, request.getMethod());
        response.setEntity(Templates.page(title(status), message).render(), null, MediaType.TEXT_HTML_TYPE);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "This could not be done";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 405, 415 -> "Not a console request";
            case 409 -> "Changed meanwhile";
            case 413 -> "Too large";
            default -> "Something went wrong";
        };
    }

    private static String message(int status, String method) {
        return switch (status) {
            // a form whose CSRF token no longer matches its cookie: an old tab, a cookie cleared, another site
            case 400 -> "POST".equals(method)
                    ? "This form has expired or did not come from this console. Reload the page and send it again."
                    : "The address could not be read.";
            case 403 -> "Your role does not allow this.";
            case 404 -> "There is no such page, or what it showed was deleted meanwhile.";
            case 405 -> "This page cannot be used that way.";
            case 413 -> "What was sent is larger than the console takes. Go back, shorten the longest field and send"
                    + " the form again.";
            case 415 -> "Console changes are made with the console's own forms.";
            default -> "Please try again.";
        };
    }
}
