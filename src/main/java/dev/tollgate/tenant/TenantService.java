package dev.tollgate.tenant;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.security.Caller;
import dev.tollgate.security.Roles;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Tenants, scoped to what the caller may see: this is the one place where a tenant-admin's binding
 * is enforced, so every page and API route that takes a tenant slug goes through {@link #visible}.
 */
@ApplicationScoped
public class TenantService {

    @Inject
    Caller caller;
    @Inject
    Inputs inputs;
    @Inject
    AuditLog audit;
    @Inject
    Event<TenantStatusChanged> statusChanged;

    /** The tenant with this slug if the caller may see it; another tenant's slug looks like no tenant at all. */
    public Optional<Tenant> visible(String slug) {
        Optional<Tenant> tenant = Tenant.find("slug", slug).firstResultOptional();
        if (caller.seesAllTenants()) {
            return tenant;
        }
        Optional<Long> own = caller.boundTenantId();
        return tenant.filter(t -> own.isPresent() && own.get().equals(t.id));
    }

    public TenantPage search(String query, TenantStatus status, int page, int size) {
        if (query != null && query.indexOf('\0') >= 0) {
            return new TenantPage(List.of(), 0, page, size); // no stored text holds a NUL; PostgreSQL refuses to look
        }
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (query != null && !query.isBlank()) {
            // what was typed, literally: a % or _ in it is no wildcard
            where.add("(lower(slug) like :q escape '!' or lower(displayName) like :q escape '!'"
                    + " or lower(legalName) like :q escape '!')");
            String literal = query.trim().toLowerCase(Locale.ROOT).replaceAll("[!%_]", "!$0");
            params.and("q", "%" + literal + "%");
        }
        if (status != null) {
            where.add("status = :status");
            params.and("status", status);
        }
        if (!caller.seesAllTenants()) {
            where.add("id = :own");
            params.and("own", caller.boundTenantId().orElse(-1L));
        }
        String hql = where.isEmpty() ? "1 = 1" : String.join(" and ", where);
        var q = Tenant.<Tenant>find(hql, Sort.ascending("slug"), params);
        int reachable = Math.min(page, Integer.MAX_VALUE / size - 1); // page × size must fit an int: past it, empty
        return new TenantPage(q.page(Page.of(reachable, size)).list(), q.count(), page, size);
    }

    @Transactional
    public Tenant create(TenantInput input) {
        requirePlatformAdmin();
        TenantInput in = Inputs.required(input).normalized(); // a blank currency or zone means the default
        Map<String, String> errors = inputs.violations(in);
        if (!errors.containsKey("slug") && Tenant.count("slug", in.slug()) > 0) {
            errors.put("slug", "is already taken");
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Tenant t = new Tenant();
        apply(t, in);
        t.slug = in.slug();
        t.persist();
        audit.record("tenant.create", "tenant", t.slug, t.id, null, TenantView.of(t));
        return t;
    }

    /** Edits the descriptive and billing fields. The slug is the tenant's stable name and cannot change. */
    @Transactional
    public Optional<Tenant> update(String slug, TenantInput input) {
        caller.requireAny(Roles.PLATFORM_ADMIN, Roles.TENANT_ADMIN);
        Inputs.required(input);
        return visible(slug).map(t -> {
            caller.requireMayChange(t.id);
            TenantInput in = inputs.check(withSlug(input, slug).normalized());
            if (in.version() != null && in.version() != t.version) {
                throw new OptimisticLockException("tenant " + slug + " is at version " + t.version + ", not "
                        + in.version());
            }
            TenantView before = TenantView.of(t);
            apply(t, in);
            Tenant.flush();
            audit.record("tenant.update", "tenant", t.slug, t.id, before, TenantView.of(t));
            return t;
        });
    }

    @Transactional
    public Optional<Tenant> changeStatus(String slug, TenantStatus status) {
        requirePlatformAdmin();
        return visible(slug).map(t -> {
            if (t.status != status) {
                TenantView before = TenantView.of(t);
                t.status = status;
                Tenant.flush();
                audit.record("tenant." + status.name().toLowerCase(Locale.ROOT), "tenant", t.slug, t.id, before,
                        TenantView.of(t));
                statusChanged.fire(new TenantStatusChanged(t.id, status));
            }
            return t;
        });
    }

    private void requirePlatformAdmin() {
        caller.requireAny(Roles.PLATFORM_ADMIN);
    }

    private static TenantInput withSlug(TenantInput in, String slug) {
        return new TenantInput(slug, in.displayName(), in.legalName(), in.billingEmail(), in.postalAddress(),
                in.taxId(), in.currency(), in.timezone(), in.version());
    }

    private static void apply(Tenant t, TenantInput in) {
        t.displayName = in.displayName();
        t.legalName = in.legalName();
        t.billingEmail = in.billingEmail();
        t.postalAddress = in.postalAddress();
        t.taxId = in.taxId();
        t.currency = in.currency();
        t.timezone = in.timezone();
    }
}
