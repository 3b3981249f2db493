-- Instances keep keys, tenants' states, aliases and prices in memory. A change made through one instance
-- (or by hand in SQL) is announced on the channel tollgate_data_changes when it commits, so that every other
-- instance drops what it holds at once instead of at the end of its cache's lifetime.
-- The payload is the table's name, then ':' and the changed row's key column when the trigger names one
-- (both the old and the new key when an update changes it); without one, the whole table is to be read again.
CREATE FUNCTION tollgate_notify_data_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND TG_NARGS > 0 THEN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM pg_notify('tollgate_data_changes', TG_TABLE_NAME || ':' || (to_jsonb(OLD) ->> TG_ARGV[0]));
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN -- the same payload twice in a transaction is delivered once
            PERFORM pg_notify('tollgate_data_changes', TG_TABLE_NAME || ':' || (to_jsonb(NEW) ->> TG_ARGV[0]));
        END IF;
    ELSE
        PERFORM pg_notify('tollgate_data_changes', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$;

-- Only what the key check reads: last_used_at is written back every few seconds and changes nothing there.
CREATE TRIGGER api_key_notify_change
    AFTER INSERT OR DELETE
        OR UPDATE OF public_id, secret_sha256, allowed_models, expires_at, revoked_at, tenant_id
    ON api_key FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('public_id');

CREATE TRIGGER api_key_notify_truncate
    AFTER TRUNCATE ON api_key FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_data_change();

CREATE TRIGGER tenant_notify_change
    AFTER DELETE OR UPDATE OF status, slug
    ON tenant FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('id');
