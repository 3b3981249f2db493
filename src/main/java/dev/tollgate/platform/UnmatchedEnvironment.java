package dev.tollgate.platform;

import dev.tollgate.catalog.AliasConfig;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Names, at start, each {@code TOLLGATE_*} environment variable that sets nothing. SmallRye Config refuses an
 * unknown {@code tollgate.*} key in a properties file or a {@code -D}, but ignores one in the environment, so a
 * typo there ({@code TOLLGATE_GATEWAY_MAX_ATTEMTPS}) went unnoticed. A warning, not a refusal to start: the
 * environment also holds other programs' variables, such as a client's {@code TOLLGATE_KEY}.
 */
@ApplicationScoped
public class UnmatchedEnvironment {

    private static final Logger LOG = Logger.getLogger(UnmatchedEnvironment.class);
    private static final String PREFIX = "TOLLGATE_";
    /** A variable the configuration refers to, as in {@code ${TOLLGATE_ADMIN_PASSWORD:}}. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(TOLLGATE_[A-Z0-9_]+)");
    /** Read by EmbeddedDatabase before the configuration exists. */
    private static final Set<String> READ_DIRECTLY = Set.of("TOLLGATE_DATA_DIR", "TOLLGATE_EMBEDDED_DB_PORT");

    void onStart(@Observes StartupEvent event) {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        for (String name : unmatched(System.getenv().keySet(), settings(config))) {
            LOG.warnf("Environment variable %s sets no Tollgate setting and is ignored; a typo? docs/configuration.md"
                    + " lists the settings", name);
        }
    }

    /** The {@code TOLLGATE_*} names among {@code variables} that none of {@code settings} matches, sorted. */
    static List<String> unmatched(Collection<String> variables, List<Pattern> settings) {
        return variables.stream().filter(v -> v.startsWith(PREFIX))
                .filter(v -> settings.stream().noneMatch(s -> s.matcher(v).matches())).sorted().toList();
    }

    /** Every variable name that sets something: the mapped keys in their environment form, and the references. */
    static List<Pattern> settings(SmallRyeConfig config) {
        List<Pattern> settings = new ArrayList<>();
        for (ConfigMappings.ConfigClass mapping : List.of(ConfigMappings.ConfigClass.configClass(TollgateConfig.class,
                "tollgate"), ConfigMappings.ConfigClass.configClass(AliasConfig.class, "tollgate.aliases"))) {
            ConfigMappings.getProperties(mapping).keySet().forEach(key -> settings.add(environmentForm(key)));
        }
        for (ConfigSource source : config.getConfigSources()) {
            if (source instanceof EnvConfigSource) {
                continue;
            }
            for (String name : source.getPropertyNames()) {
                String value = source.getValue(name);
                Matcher m = REFERENCE.matcher(value == null ? "" : value);
                while (m.find()) {
                    settings.add(Pattern.compile(Pattern.quote(m.group(1))));
                }
            }
        }
        READ_DIRECTLY.forEach(name -> settings.add(Pattern.compile(Pattern.quote(name))));
        return settings;
    }

    /**
     * A mapped key as environment variables spell it: upper case, every other character {@code _}; a map key
     * ({@code *}) or a list index ({@code [*]}) any run of such characters, and a list also as one variable.
     */
    static Pattern environmentForm(String key) {
        String list = key.replace("[*]", "");
        StringBuilder regex = new StringBuilder();
        String[] parts = list.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("[A-Z0-9_]+");
            }
            regex.append(Pattern.quote(parts[i].toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")));
        }
        if (!list.equals(key)) {
            regex.append("(_[0-9]+_)?"); // cors-origins[0] is TOLLGATE_GATEWAY_CORS_ORIGINS_0_
        }
        return Pattern.compile(regex.toString());
    }
}
