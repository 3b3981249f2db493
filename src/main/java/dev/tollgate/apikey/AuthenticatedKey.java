package dev.tollgate.apikey;

import java.util.List;

/** A key that passed the check, with what the gateway needs to route and record the call. */
public record AuthenticatedKey(long keyId, String publicId, long tenantId, String tenantSlug,
        List<String> allowedModels) {

    /** Null allowed-models means every model of the catalog. */
    public boolean allows(String model) {
        return allowedModels == null || allowedModels.contains(model);
    }
}
