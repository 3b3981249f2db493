package dev.tollgate.security;

import dev.tollgate.testing.KeycloakResource;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * Tollgate in oidc login mode against a real Keycloak. Only tests with this profile start Keycloak, and
 * they share one start: keep every OIDC test on exactly this profile.
 */
public class OidcModeProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tollgate.auth.mode", "oidc");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(KeycloakResource.class, Map.of(), true));
    }
}
