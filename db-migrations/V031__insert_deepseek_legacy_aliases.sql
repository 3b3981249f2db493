-- DeepSeek's legacy names, per the project's DeepSeek API notes ("Legacy names"): from the V4 launch on
-- 2026-04-24, deepseek-chat meant deepseek-v4-flash with thinking disabled and deepseek-reasoner meant
-- deepseek-v4-flash with thinking enabled; both were retired after 2026-07-24 15:59 UTC (DeepSeek now
-- answers 400 and no longer lists them). They were deprecated from the launch; the launch time of day is
-- not published, so deprecation starts at 00:00 UTC, as the V4 launch prices do.
--
-- Mode rewrite-and-warn, although the sunset has passed: these names have one exact meaning, so serving
-- them costs nothing and surprises no one, while rejecting them from the moment this migration runs would
-- break every tenant still sending them, with no notice from Tollgate. Every such response carries the
-- Deprecation, Sunset and Link headers and a warning; the ledger records who still sends the old names.
-- A platform admin switches an alias (or one tenant) to reject-after-sunset when ready.
INSERT INTO model_alias (alias, target_model, implied_params, deprecated_at, sunset_at, mode, replacement_model, note)
VALUES
('deepseek-chat', 'deepseek-v4-flash', '{"thinking": {"type": "disabled"}}',
 '2026-04-24 00:00:00+00', '2026-07-24 15:59:00+00', 'rewrite-and-warn', 'deepseek-v4-flash',
 'DeepSeek legacy name: deepseek-v4-flash without thinking from 2026-04-24; retired by DeepSeek after 2026-07-24 15:59 UTC.'),
('deepseek-reasoner', 'deepseek-v4-flash', '{"thinking": {"type": "enabled"}}',
 '2026-04-24 00:00:00+00', '2026-07-24 15:59:00+00', 'rewrite-and-warn', 'deepseek-v4-flash',
 'DeepSeek legacy name: deepseek-v4-flash with thinking from 2026-04-24; retired by DeepSeek after 2026-07-24 15:59 UTC.');
