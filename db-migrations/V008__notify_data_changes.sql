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

CREATE TRIGGER api_key_notify_change
    AFTER INSERT OR DELETE ON api_key FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('public_id');

-- Only a change to what the key check reads: last_used_at is written back every few seconds, and an update
-- through the app writes every column, a new name among them.
CREATE TRIGGER api_key_notify_update
    AFTER UPDATE ON api_key FOR EACH ROW
    WHEN ((OLD.public_id, OLD.secret_sha256, OLD.allowed_models, OLD.expires_at, OLD.revoked_at, OLD.tenant_id)
          IS DISTINCT FROM
          (NEW.public_id, NEW.secret_sha256, NEW.allowed_models, NEW.expires_at, NEW.revoked_at, NEW.tenant_id))
    EXECUTE FUNCTION tollgate_notify_data_change('public_id');

CREATE TRIGGER api_key_notify_truncate
    AFTER TRUNCATE ON api_key FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_data_change();

CREATE TRIGGER tenant_notify_change
    AFTER DELETE ON tenant FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('id');

-- A profile edit (name, address) changes nothing the key check reads.
CREATE TRIGGER tenant_notify_update
    AFTER UPDATE ON tenant FOR EACH ROW
    WHEN ((OLD.status, OLD.slug) IS DISTINCT FROM (NEW.status, NEW.slug))
    EXECUTE FUNCTION tollgate_notify_data_change('id');
