package dev.tollgate.testing;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Every HTTP route the app declares under a package, found by reflection so that new routes are covered too. */
public final class Routes {

    public record Route(String method, String path) {
        public String with(String param, String value) {
            return path.replace("{" + param + "}", value);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private Routes() {
    }

    /** Every route of the app whose path starts with the prefix, whichever feature package declares it. */
    public static List<Route> under(String prefix) {
        List<Route> routes = new ArrayList<>();
        java.nio.file.Path classes = Paths.get("target/classes");
        try (Stream<java.nio.file.Path> files = Files.walk(classes.resolve("dev/tollgate"))) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace(".class", "").replace('/', '.');
                Class<?> type = Class.forName(name);
                Path base = type.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    String verb = verb(m);
                    if (verb != null) {
                        Path sub = m.getAnnotation(Path.class);
                        String path = join(base.value(), sub == null ? "" : sub.value());
                        if (path.startsWith(prefix)) {
                            routes.add(new Route(verb, path));
                        }
                    }
                }
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        routes.sort(Comparator.comparing(Route::path).thenComparing(Route::method));
        return routes;
    }

    private static String verb(Method m) {
        if (m.isAnnotationPresent(GET.class)) {
            return "GET";
        }
        if (m.isAnnotationPresent(POST.class)) {
            return "POST";
        }
        if (m.isAnnotationPresent(PUT.class)) {
            return "PUT";
        }
        return m.isAnnotationPresent(DELETE.class) ? "DELETE" : null;
    }

    private static String join(String a, String b) {
        String path = ("/" + a + "/" + b).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
