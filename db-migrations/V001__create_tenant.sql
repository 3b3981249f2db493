-- Customer teams. Billing fields are what a finance team puts on an invoice.
CREATE TABLE tenant (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           VARCHAR(40)  NOT NULL UNIQUE,
    display_name   VARCHAR(200) NOT NULL,
    legal_name     VARCHAR(200),
    billing_email  VARCHAR(254),
    postal_address VARCHAR(1000),
    tax_id         VARCHAR(64),
    currency       CHAR(3)      NOT NULL DEFAULT 'USD',
    timezone       VARCHAR(64)  NOT NULL DEFAULT 'UTC',
    status         VARCHAR(16)  NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'ARCHIVED')),
    created_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ  NOT NULL DEFAULT now(),
    version        BIGINT       NOT NULL DEFAULT 0
);

CREATE INDEX tenant_status_idx ON tenant (status, slug);
