package dev.tollgate.catalog;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of model aliases, under {@code tollgate.aliases}. */
@ConfigMapping(prefix = "tollgate.aliases")
public interface AliasConfig {

    /** The default guide's file name under {@link #docsBaseUrl()}. */
    String GUIDE = "migration-deepseek-chat.md";

    /**
     * Where the project's docs are published, e.g. {@code https://docs.example.com/tollgate}: aliased
     * responses link to {@code <docs-base-url>/migration-deepseek-chat.md} unless an alias names its own guide.
     */
    @WithDefault("/docs")
    String docsBaseUrl();

    /**
     * How often each instance re-reads the aliases and tenant overrides. Changes apply at once on every
     * instance that hears the database's change feed; this interval bounds the wait when it cannot.
     */
    @WithDefault("60s")
    String reloadEvery();

    default String defaultGuide() {
        String base = docsBaseUrl().trim();
        return (base.endsWith("/") ? base : base + "/") + GUIDE;
    }
}
