-- Instances keep keys, tenants' states, aliases and prices in memory. A change made through one instance
-- (or by hand in SQL) is announced on the channel tollgate_data_changes when it commits, so that every other
-- instance drops what it holds at once instead of at the end of its cache's lifetime.
-- The payload is the table's name, then ':' and the changed row's key column when the trigger names one.
CREATE FUNCTION tollgate_notify_data_change() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    changed_row JSONB := CASE WHEN TG_LEVEL = 'ROW' THEN to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END) END;
BEGIN
    PERFORM pg_notify('tollgate_data_changes',
                      TG_TABLE_NAME || CASE WHEN TG_NARGS > 0 AND changed_row IS NOT NULL
                                            THEN ':' || (changed_row ->> TG_ARGV[0]) ELSE '' END);
    RETURN NULL;
END;
$$;

-- Only what the key check reads: last_used_at is written back every few seconds and changes nothing there.
CREATE TRIGGER api_key_notify_change
    AFTER INSERT OR DELETE OR UPDATE OF secret_sha256, allowed_models, expires_at, revoked_at, tenant_id
    ON api_key FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('public_id');

CREATE TRIGGER tenant_notify_change
    AFTER DELETE OR UPDATE OF status, slug
    ON tenant FOR EACH ROW EXECUTE FUNCTION tollgate_notify_data_change('id');
