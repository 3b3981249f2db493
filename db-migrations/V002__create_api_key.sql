-- Tenant API keys: tg-<public_id>-<secret>. Only a SHA-256 of the secret is kept.
CREATE TABLE api_key (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id      BIGINT       NOT NULL REFERENCES tenant (id),
    public_id      VARCHAR(32)  NOT NULL UNIQUE,
    secret_sha256  BYTEA        NOT NULL,
    name           VARCHAR(100) NOT NULL,
    allowed_models TEXT[],
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    created_by     VARCHAR(200) NOT NULL,
    expires_at     TIMESTAMPTZ,
    revoked_at     TIMESTAMPTZ,
    rotated_at     TIMESTAMPTZ,
    replaced_by_id BIGINT REFERENCES api_key (id),
    last_used_at   TIMESTAMPTZ
);
CREATE INDEX api_key_tenant_idx ON api_key (tenant_id, created_at DESC);
