package dev.tollgate.console;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Clears the flash cookie on the page that showed it. */
public class FlashFilter {

    @Inject
    Flash flash;

    @ServerResponseFilter
    public void clearShownFlash(ContainerRequestContext request, ContainerResponseContext response) {
        boolean isPage = "GET".equals(request.getMethod()) && response.getStatus() == 200;
        if (isPage && flash.present() && !response.getHeaders().containsKey(HttpHeaders.SET_COOKIE)) {
            response.getHeaders().add(HttpHeaders.SET_COOKIE, Flash.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        }
    }
}
