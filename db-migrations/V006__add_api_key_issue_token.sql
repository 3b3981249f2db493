-- An issue request's idempotency token (the console form's, or an API client's Idempotency-Key): a repeated
-- request with the same token issues no second key.
ALTER TABLE api_key ADD COLUMN issue_token VARCHAR(100);
CREATE UNIQUE INDEX api_key_issue_token_idx ON api_key (tenant_id, issue_token) WHERE issue_token IS NOT NULL;
