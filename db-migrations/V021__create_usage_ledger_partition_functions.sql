-- Monthly partitions of usage_ledger, named usage_ledger_YYYY_MM, covering one UTC calendar month each.
-- The app calls usage_ledger_maintain at startup and periodically (current month + the next N), and the
-- ledger writer calls usage_ledger_ensure_partition before it first writes a row of a month in a run, so
-- the default partition only catches rows when that creation failed.

-- Makes sure the month holding at_instant has its partition; returns its name, or null when a table of
-- that name exists but is not attached (a month an operator detached on purpose: its rows stay in the
-- default partition). Rows of that month already in the default partition are moved into the new
-- partition: PostgreSQL refuses to create a partition whose range the default partition has rows in,
-- so the default partition is detached, replaced by an empty one, and its rows re-inserted through the
-- parent, which routes each of them to its month.
CREATE FUNCTION usage_ledger_ensure_partition(at_instant TIMESTAMPTZ) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    month_utc   TIMESTAMP   := date_trunc('month', at_instant AT TIME ZONE 'UTC');
    lower_bound TIMESTAMPTZ := month_utc AT TIME ZONE 'UTC';
    upper_bound TIMESTAMPTZ := (month_utc + INTERVAL '1 month') AT TIME ZONE 'UTC';
    part        TEXT        := 'usage_ledger_' || to_char(month_utc, 'YYYY_MM');
    stranded    BOOLEAN;
BEGIN
    IF usage_ledger_has_partition(part) THEN
        RETURN part;
    END IF;
    -- Instances and the periodic check may race to create the same month: one at a time.
    PERFORM pg_advisory_xact_lock(hashtext('usage_ledger_partitions'));
    IF usage_ledger_has_partition(part) THEN
        RETURN part;
    END IF;
    IF to_regclass(part) IS NOT NULL THEN
        RAISE WARNING 'usage_ledger: table % exists but is not a partition; rows of that month stay in usage_ledger_default', part;
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM usage_ledger_default WHERE received_at >= $1 AND received_at < $2)'
        INTO stranded USING lower_bound, upper_bound;
    IF stranded THEN
        ALTER TABLE usage_ledger DETACH PARTITION usage_ledger_default;
        ALTER TABLE usage_ledger_default RENAME TO usage_ledger_default_moving;
        CREATE TABLE usage_ledger_default PARTITION OF usage_ledger DEFAULT;
        CREATE TRIGGER usage_ledger_no_truncate BEFORE TRUNCATE ON usage_ledger_default
            FOR EACH STATEMENT EXECUTE FUNCTION usage_ledger_is_append_only();
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF usage_ledger FOR VALUES FROM (%L) TO (%L)',
                   part, lower_bound, upper_bound);
    EXECUTE format('CREATE TRIGGER usage_ledger_no_truncate BEFORE TRUNCATE ON %I'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION usage_ledger_is_append_only()', part);
    IF stranded THEN
        EXECUTE 'INSERT INTO usage_ledger SELECT * FROM usage_ledger_default_moving';
        EXECUTE 'DROP TABLE usage_ledger_default_moving';
    END IF;
    RETURN part;
END;
$$;

CREATE FUNCTION usage_ledger_has_partition(part TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1
                   FROM pg_inherits i
                   JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent = 'usage_ledger'::regclass AND c.relname = part)
$$;

-- The periodic check: partitions for the current month and the next months_ahead, and a partition for
-- every month that has rows stranded in the default partition (which moves them there).
CREATE FUNCTION usage_ledger_maintain(months_ahead INTEGER) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    this_month TIMESTAMP := date_trunc('month', now() AT TIME ZONE 'UTC');
    stranded   TIMESTAMP[];
    m          TIMESTAMP;
BEGIN
    FOR i IN 0..months_ahead LOOP
        PERFORM usage_ledger_ensure_partition((this_month + make_interval(months => i)) AT TIME ZONE 'UTC');
    END LOOP;
    -- Read the months first: creating a partition may replace the default partition.
    SELECT array_agg(DISTINCT date_trunc('month', received_at AT TIME ZONE 'UTC')) INTO stranded
    FROM usage_ledger_default;
    IF stranded IS NOT NULL THEN
        FOREACH m IN ARRAY stranded LOOP
            PERFORM usage_ledger_ensure_partition(m AT TIME ZONE 'UTC');
        END LOOP;
    END IF;
END;
$$;

SELECT usage_ledger_maintain(2);
