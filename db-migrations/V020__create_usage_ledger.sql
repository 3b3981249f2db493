-- The usage ledger: one row per upstream attempt, append-only, partitioned by month of received_at (UTC).
--
-- Rows are written by the ledger writer off the response path, in batches, with
--     INSERT ... ON CONFLICT (request_id, attempt, received_at) DO NOTHING
-- A unique key on a partitioned table must contain the partition column, so the key is
-- (request_id, attempt, received_at) rather than (request_id, attempt). received_at is the instant
-- Tollgate received the client's request: every write of one attempt carries the same value, so a
-- retried or replayed write of an attempt hits this key and is skipped (the first write wins).
--
-- No foreign keys on purpose: tenants and keys are archived or revoked, never deleted, and a ledger row
-- records a fact that must be written even if the row it points to changed meanwhile. Costs are
-- unconstrained NUMERIC so the exact value computed by the price book is kept, never rounded; all cost
-- columns are null together when the attempt could not be priced.
CREATE TABLE usage_ledger (
    request_id                      TEXT        NOT NULL CHECK (length(request_id) BETWEEN 1 AND 200),
    attempt                         INTEGER     NOT NULL CHECK (attempt >= 1),
    tenant_id                       BIGINT      NOT NULL,
    key_id                          BIGINT      NOT NULL,
    model_requested                 TEXT        NOT NULL,
    alias_used                      TEXT,
    model_served                    TEXT,
    upstream                        TEXT,
    streamed                        BOOLEAN     NOT NULL,
    thinking_mode                   TEXT,
    received_at                     TIMESTAMPTZ NOT NULL,
    first_byte_at                   TIMESTAMPTZ,
    finished_at                     TIMESTAMPTZ,
    http_status                     INTEGER,
    error_type                      TEXT,
    finish_reason                   TEXT,
    prompt_tokens                   BIGINT      NOT NULL CHECK (prompt_tokens >= 0),
    prompt_cache_hit_tokens         BIGINT      NOT NULL CHECK (prompt_cache_hit_tokens >= 0),
    prompt_cache_miss_tokens        BIGINT      NOT NULL CHECK (prompt_cache_miss_tokens >= 0),
    completion_tokens               BIGINT      NOT NULL CHECK (completion_tokens >= 0),
    reasoning_tokens                BIGINT      NOT NULL CHECK (reasoning_tokens >= 0),
    usage_estimated                 BOOLEAN     NOT NULL,
    input_cache_hit_cost            NUMERIC CHECK (input_cache_hit_cost >= 0),
    input_cache_miss_cost           NUMERIC CHECK (input_cache_miss_cost >= 0),
    output_cost                     NUMERIC CHECK (output_cost >= 0),
    total_cost                      NUMERIC CHECK (total_cost >= 0),
    input_cache_hit_price_entry_id  BIGINT,
    input_cache_miss_price_entry_id BIGINT,
    output_price_entry_id           BIGINT,
    user_id                         TEXT,
    tags                            TEXT[]      NOT NULL DEFAULT '{}',
    recorded_at                     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT usage_ledger_pkey PRIMARY KEY (request_id, attempt, received_at),
    CONSTRAINT usage_ledger_priced_or_not CHECK (
        (total_cost IS NULL) = (input_cache_hit_cost IS NULL)
        AND (total_cost IS NULL) = (input_cache_miss_cost IS NULL)
        AND (total_cost IS NULL) = (output_cost IS NULL)
        AND (total_cost IS NULL) = (input_cache_hit_price_entry_id IS NULL)
        AND (total_cost IS NULL) = (input_cache_miss_price_entry_id IS NULL)
        AND (total_cost IS NULL) = (output_price_entry_id IS NULL))
) PARTITION BY RANGE (received_at);

-- Per-tenant time-range reads (reports, rollups, exports). Created on every partition.
CREATE INDEX usage_ledger_tenant_idx ON usage_ledger (tenant_id, received_at);

-- The safety net: a row whose month has no partition yet lands here instead of failing. Creating the
-- month's partition later moves such rows into it (usage_ledger_ensure_partition, V021).
CREATE TABLE usage_ledger_default PARTITION OF usage_ledger DEFAULT;

-- Append-only. Row triggers on the partitioned table are cloned onto every partition, present and future;
-- TRUNCATE triggers are per table, so each partition gets its own (see V021). Retention is done by an
-- operator detaching or dropping whole months, deliberately, never by deleting rows.
CREATE FUNCTION usage_ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'usage_ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER usage_ledger_append_only BEFORE UPDATE OR DELETE ON usage_ledger
    FOR EACH ROW EXECUTE FUNCTION usage_ledger_is_append_only();
CREATE TRIGGER usage_ledger_no_truncate BEFORE TRUNCATE ON usage_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION usage_ledger_is_append_only();
CREATE TRIGGER usage_ledger_no_truncate BEFORE TRUNCATE ON usage_ledger_default
    FOR EACH STATEMENT EXECUTE FUNCTION usage_ledger_is_append_only();
