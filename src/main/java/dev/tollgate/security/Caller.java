package dev.tollgate.security;

import dev.tollgate.platform.TollgateConfig;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling an admin page or the admin API: name, role and, for a tenant-admin, the one tenant
 * they are bound to. In local mode the binding is a column of the user; with Keycloak it is a token claim.
 */
@Named("caller")
@RequestScoped
public class Caller {

    @Inject
    SecurityIdentity identity;
    @Inject
    TollgateConfig config;
    @Inject
    EntityManager em;
    @Inject
    HttpServerRequest request;

    private Optional<Long> tenantId;

    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public boolean is(String role) {
        return identity.hasRole(role);
    }

    /** Refuses the action (403) unless the caller has one of the roles. */
    public void requireAny(String... roles) {
        if (!hasAnyRole(List.of(roles))) {
            throw new ForbiddenException();
        }
    }

    public boolean hasAnyRole(List<String> roles) {
        return roles.stream().anyMatch(identity::hasRole);
    }

    public boolean isPlatformAdmin() {
        return is(Roles.PLATFORM_ADMIN);
    }

    /** Platform admins and finance see every tenant; everyone else only their own. */
    public boolean seesAllTenants() {
        return isPlatformAdmin() || is(Roles.FINANCE);
    }

    /**
     * Refuses (403) a change to a tenant the caller may only look at. Platform admins change any tenant, a
     * tenant-admin only the one they are bound to; seeing every tenant (finance) grants no change, also to a
     * user who holds finance beside tenant-admin.
     */
    public void requireMayChange(long tenantId) {
        if (!mayChange(tenantId)) {
            throw new ForbiddenException();
        }
    }

    /** What {@link #requireMayChange} allows: the pages offer a change to a tenant (edit, keys, overrides) only so. */
    public boolean mayChange(Long tenantId) {
        return isPlatformAdmin() || tenantId != null && is(Roles.TENANT_ADMIN)
                && boundTenantId().filter(tenantId::equals).isPresent();
    }

    public String role() {
        return Roles.ALL.stream().filter(identity::hasRole).findFirst().orElse("none");
    }

    /** The tenant a tenant-admin is bound to; empty for other roles or an unbound tenant-admin. */
    public Optional<Long> boundTenantId() {
        if (tenantId == null) {
            tenantId = is(Roles.TENANT_ADMIN) ? lookUpTenant() : Optional.empty();
        }
        return tenantId;
    }

    public boolean oidc() {
        return config.auth().oidc();
    }

    public String ip() {
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }

    private Optional<Long> lookUpTenant() {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object slug = jwt.getClaim(config.auth().tenantClaim());
            if (slug == null) {
                return Optional.empty();
            }
            List<Long> ids = em.createQuery("select t.id from Tenant t where t.slug = :slug", Long.class)
                    .setParameter("slug", slug.toString().replace("\"", "")).getResultList();
            return ids.stream().findFirst();
        }
        return LocalUser.findByUsername(name()).map(u -> u.tenantId);
    }
}
