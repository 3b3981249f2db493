-- Model aliases: a name clients may send that Tollgate serves with another model and the request
-- parameters the name implies, until and (depending on the mode) after its sunset.
--   rewrite              serve the target, with Deprecation / Sunset / Link response headers
--   rewrite-and-warn     the same, plus an X-Tollgate-Warning response header
--   reject-after-sunset  like rewrite-and-warn before the sunset; from the sunset on, 410 naming the replacement
-- The alias name is its stable identity (like a tenant slug): it cannot be renamed, only deleted.
CREATE TABLE model_alias (
    alias             VARCHAR(64)   PRIMARY KEY CHECK (alias ~ '^[A-Za-z0-9][A-Za-z0-9._:-]*$'),
    target_model      VARCHAR(100)  NOT NULL REFERENCES model (id),
    -- Top-level request fields the alias implies, applied where the client did not set them.
    implied_params    JSONB         NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(implied_params) = 'object'),
    deprecated_at     TIMESTAMPTZ   NOT NULL,
    sunset_at         TIMESTAMPTZ   NOT NULL,
    mode              VARCHAR(32)   NOT NULL
        CHECK (mode IN ('rewrite', 'rewrite-and-warn', 'reject-after-sunset')),
    -- The model named in errors and warnings as what to send instead.
    replacement_model VARCHAR(100)  NOT NULL REFERENCES model (id),
    -- An absolute URL of the migration guide; null means the default guide under tollgate.aliases.docs-base-url.
    migration_guide   VARCHAR(500),
    note              VARCHAR(2000),
    created_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ   NOT NULL DEFAULT now(),
    version           BIGINT        NOT NULL DEFAULT 0,
    CHECK (deprecated_at <= sunset_at)
);

-- A tenant's own mode for an alias, winning over the alias' mode.
CREATE TABLE alias_tenant_override (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT       NOT NULL REFERENCES tenant (id),
    alias     VARCHAR(64)  NOT NULL REFERENCES model_alias (alias) ON DELETE CASCADE,
    mode      VARCHAR(32)  NOT NULL
        CHECK (mode IN ('rewrite', 'rewrite-and-warn', 'reject-after-sunset')),
    set_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    set_by    VARCHAR(200) NOT NULL,
    UNIQUE (tenant_id, alias)
);
CREATE INDEX alias_tenant_override_alias_idx ON alias_tenant_override (alias);
