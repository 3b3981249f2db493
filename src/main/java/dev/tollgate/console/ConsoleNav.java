package dev.tollgate.console;

import dev.tollgate.security.Roles;
import io.quarkus.qute.TemplateGlobal;
import java.util.List;

/** The console's navigation, in one place: later feature pages add their entry here. */
@TemplateGlobal
public class ConsoleNav {

    public record Item(String label, String path, List<String> roles) {
    }

    /** Who sees the upstreams, and the warning that one is out of balance: those who run it and those who pay it. */
    static List<String> upstreamReaders = List.of(Roles.PLATFORM_ADMIN, Roles.FINANCE);

    static List<Item> navItems = List.of(
            new Item("Tenants", "/console/tenants", Roles.ALL),
            new Item("Prices", "/console/prices", List.of(Roles.PLATFORM_ADMIN, Roles.FINANCE)),
            new Item("Model aliases", "/console/aliases", Roles.ALL),
            new Item("Upstreams", "/console/upstreams", upstreamReaders),
            new Item("Users", "/console/users", List.of(Roles.PLATFORM_ADMIN)),
            new Item("Audit log", "/console/audit", List.of(Roles.PLATFORM_ADMIN)));
}
