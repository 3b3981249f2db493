package dev.tollgate.console;

import dev.tollgate.catalog.AliasMode;
import dev.tollgate.catalog.AliasService;
import dev.tollgate.catalog.TenantAliasView;
import dev.tollgate.tenant.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;

/** The aliases section of the tenant page ({@code inject:tenantAliases}); the page has checked the tenant. */
@Named("tenantAliases")
@ApplicationScoped
public class TenantAliases {

    @Inject
    AliasService aliases;

    public List<TenantAliasView> of(Tenant tenant) {
        return aliases.forTenant(tenant);
    }

    public List<AliasMode> modes() {
        return List.of(AliasMode.values());
    }
}
