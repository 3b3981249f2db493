-- OpenAI's model object has `created` (Unix seconds), and its SDKs declare it required: the Java SDK fails a
-- client that validates responses, or reads the field, on a model without one. DeepSeek's own list has none;
-- Tollgate lists the model's release instead. V4 shipped on 2026-04-24 (time of day unpublished: 00:00 UTC, as
-- the launch prices in V011).
ALTER TABLE model ADD COLUMN created TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE model SET created = '2026-04-24 00:00:00+00' WHERE id IN ('deepseek-v4-flash', 'deepseek-v4-pro');
