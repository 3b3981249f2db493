-- One object's history (the console and the admin API filter the audit log by object), newest first.
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at DESC);
