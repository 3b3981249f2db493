-- Local-mode console sign-ins, one row per signed-in browser. Quarkus' encrypted login cookie cannot be ended by
-- the server, so a copy of it would outlive a logout. Each sign-in therefore also gets a random session cookie,
-- kept here only as its SHA-256; a logout deletes the row, and a login cookie without a live row is refused.
-- Deleting a user ends their sessions, so that a new user given the same name does not inherit them.
CREATE TABLE console_session (
    token_hash   VARCHAR(64) PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX console_session_user_id ON console_session (user_id);
