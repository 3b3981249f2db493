-- Local console users (the embedded default login). Passwords are bcrypt hashes.
CREATE TABLE app_user (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      VARCHAR(64)  NOT NULL UNIQUE,
    password_hash VARCHAR(100) NOT NULL,
    role          VARCHAR(32)  NOT NULL CHECK (role IN ('platform-admin', 'finance', 'tenant-admin')),
    tenant_id     BIGINT REFERENCES tenant (id),
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CHECK ((role = 'tenant-admin') = (tenant_id IS NOT NULL))
);
