package dev.tollgate.console;

import dev.tollgate.catalog.AliasView;
import dev.tollgate.catalog.TenantAliasView;
import io.quarkus.qute.TemplateExtension;

/** Display values of aliases for the console templates. */
@TemplateExtension
public class AliasExtensions {

    static String statusCss(AliasView a) {
        return css(a.status());
    }

    static String statusLabel(AliasView a) {
        return label(a.status());
    }

    static String statusCss(TenantAliasView a) {
        return css(a.status());
    }

    static String statusLabel(TenantAliasView a) {
        return label(a.status());
    }

    // The badge colours of keys: orange while it still serves, red once it answers 410.
    private static String css(String status) {
        return "retired".equals(status) ? "revoked" : "expiring";
    }

    private static String label(String status) {
        return switch (status) {
            case "deprecated" -> "Deprecated, before sunset";
            case "past_sunset" -> "Past sunset, still served";
            default -> "Retired: 410";
        };
    }
}
