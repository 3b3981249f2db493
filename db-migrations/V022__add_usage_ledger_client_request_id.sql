-- The caller's own id for a request (X-Client-Request-Id, or X-Request-Id set by a proxy in front),
-- kept beside Tollgate's request_id. The caller's id is not a key: one id may be sent on many calls
-- (a trace id shared by an agent's steps), so the key stays Tollgate's own id. Added on the partitioned
-- parent, so every partition, present and future, has it. Bounded like the header Tollgate accepts.
ALTER TABLE usage_ledger
    ADD COLUMN client_request_id TEXT CHECK (length(client_request_id) BETWEEN 1 AND 128);
