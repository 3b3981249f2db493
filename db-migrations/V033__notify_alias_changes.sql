-- Alias and tenant override changes are announced to every instance (see V008): each reloads its aliases.
CREATE TRIGGER model_alias_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON model_alias FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_data_change();

CREATE TRIGGER alias_tenant_override_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON alias_tenant_override FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_data_change();
