package dev.tollgate.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A login name with a NUL character is a failed login, like any name no user has. PostgreSQL stores no text with
 * one, and the user store asking it for one had it refuse the name: the login form and HTTP Basic answered with a
 * 400 about storing values, and the attempt was not counted as a failed login. Asked first; any other name goes on
 * to the user store.
 */
@ApplicationScoped
public class NulLoginGuard implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return 2 * SYSTEM_FIRST; // before the user store (at its default, just past SYSTEM_FIRST)
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String username = request.getUsername();
        return username != null && username.indexOf('\0') >= 0
                ? Uni.createFrom().failure(new AuthenticationFailedException("a login name with a NUL character"))
                : Uni.createFrom().nullItem();
    }
}
