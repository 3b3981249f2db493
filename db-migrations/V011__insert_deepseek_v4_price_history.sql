-- DeepSeek V4 prices from launch, USD per million tokens, as the product issue for the price book asks:
-- Flash and Pro launch prices, the 2026-04-26 12:15 UTC cache-hit cut to 1/10, the Pro 75% promotion
-- until 2026-05-31 15:59 UTC, and Pro list prices after it. Sources, quoted in each note:
--   [notes]   the project's DeepSeek API notes, price table (DeepSeek's announcements, April-October 2026)
--   [flash]   "DeepSeek V4 Flash: Benchmarks, Pricing & Is It Worth It vs Pro" (pricing current as of May 2026)
--   [pro-vs]  "DeepSeek V4 Pro vs Flash: Which One for Production?" (DeepSeek's pricing page as of 2026-04-24)
-- The launch time of day is not published in any source: launch entries start at 2026-04-24 00:00 UTC.
-- Not seeded, on purpose: the 2026-05-22 announcement that made Pro's quarter price permanent and the
-- peak/off-peak split from 2026-08-16 16:00 (its hours are not in any source). Deciding that is a
-- product decision; this migration follows the issue (list prices after the promotion).
INSERT INTO price_entry (model, token_class, usd_per_million_tokens, valid_from, valid_until, note, created_by) VALUES
-- deepseek-v4-flash
('deepseek-v4-flash', 'input_cache_hit', 0.028,
 '2026-04-24 00:00:00+00', '2026-04-26 12:15:00+00',
 'V4 launch price, cache hit $0.028/M. [pro-vs] table "as of April 24, 2026": Input (cache hit) $0.028 / M tok; [notes] 2026-04-24 launch 0.028 / 0.14 / 0.28. Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-flash', 'input_cache_miss', 0.14,
 '2026-04-24 00:00:00+00', NULL,
 'V4 launch price, cache miss $0.14/M, unchanged by the 2026-04-26 cut. [pro-vs] Input (cache miss) $0.14 / M tok; [flash] "$0.14 input / $0.28 output"; [notes] 0.028 / 0.14 / 0.28. Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-flash', 'output', 0.28,
 '2026-04-24 00:00:00+00', NULL,
 'V4 launch price, output $0.28/M, unchanged by the 2026-04-26 cut. [pro-vs] Output $0.28 / M tok; [flash] "$0.14 input / $0.28 output"; [notes] 0.028 / 0.14 / 0.28. Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-flash', 'input_cache_hit', 0.0028,
 '2026-04-26 12:15:00+00', NULL,
 'Cache-hit price cut to 1/10 for all models from 2026-04-26 12:15 UTC. [notes] "2026-04-26 12:15 (cache-hit price cut to 1/10, all models) 0.0028 / 0.14 / 0.28"; [flash] "Input (cache hit) $0.0028 (98% off)", "cut all-model cache-hit input pricing to 1/10 of launch (effective 2026/04/26)".',
 'migration V011'),
-- deepseek-v4-pro: 75% off promotion from launch (list 0.145 / 1.74 / 3.48)
('deepseek-v4-pro', 'input_cache_hit', 0.03625,
 '2026-04-24 00:00:00+00', '2026-04-26 12:15:00+00',
 'V4 launch, 75% off promotion: cache hit $0.03625/M (list $0.145/M). [notes] "list 0.145 / 1.74 / 3.48; 75% off promotion: 0.03625 / 0.435 / 0.87". [pro-vs] shows the list price $0.145 as of 2026-04-24 without the promotion. Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-pro', 'input_cache_miss', 0.435,
 '2026-04-24 00:00:00+00', '2026-05-31 15:59:00+00',
 'V4 launch, 75% off promotion: cache miss $0.435/M (list $1.74/M) until the promotion ends 2026-05-31 15:59 UTC (first announced for 2026-05-05 15:59, then extended). [notes] promotion 0.03625 / 0.435 / 0.87; [flash] "V4 Pro (75%-off promo, ends 2026-05-31 15:59 UTC) $0.435". Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-pro', 'output', 0.87,
 '2026-04-24 00:00:00+00', '2026-05-31 15:59:00+00',
 'V4 launch, 75% off promotion: output $0.87/M (list $3.48/M) until the promotion ends 2026-05-31 15:59 UTC (first announced for 2026-05-05 15:59, then extended). [notes] promotion 0.03625 / 0.435 / 0.87; [flash] "V4 Pro (75%-off promo, ends 2026-05-31 15:59 UTC) ... $0.87". Launch time of day unpublished: from 00:00 UTC.',
 'migration V011'),
('deepseek-v4-pro', 'input_cache_hit', 0.003625,
 '2026-04-26 12:15:00+00', '2026-05-31 15:59:00+00',
 'Cache-hit cut to 1/10 from 2026-04-26 12:15 UTC, during the 75% promotion: $0.003625/M until 2026-05-31 15:59 UTC. [notes] "promotion 0.003625 / 0.435 / 0.87"; [flash] "V4 Pro (75%-off promo, ends 2026-05-31 15:59 UTC) ... $0.003625".',
 'migration V011'),
('deepseek-v4-pro', 'input_cache_hit', 0.0145,
 '2026-05-31 15:59:00+00', NULL,
 'List price after the promotion ended 2026-05-31 15:59 UTC: cache hit $0.0145/M (1/10 of the $0.145 launch list price). [notes] "list prices per the seed documents (0.0145 / 1.74 / 3.48)"; [flash] rounds it: "V4 Pro (post-promo sticker) ... $0.015". The 2026-05-22 announcement of a permanent quarter price ([notes]) is not applied, per the product issue.',
 'migration V011'),
('deepseek-v4-pro', 'input_cache_miss', 1.74,
 '2026-05-31 15:59:00+00', NULL,
 'List price after the promotion ended 2026-05-31 15:59 UTC: cache miss $1.74/M. [notes] list 0.0145 / 1.74 / 3.48; [flash] "Pro''s post-promo $1.74 / $3.48"; [pro-vs] Input (cache miss) $1.74 / M tok. The 2026-05-22 announcement of a permanent quarter price ([notes]) is not applied, per the product issue.',
 'migration V011'),
('deepseek-v4-pro', 'output', 3.48,
 '2026-05-31 15:59:00+00', NULL,
 'List price after the promotion ended 2026-05-31 15:59 UTC: output $3.48/M. [notes] list 0.0145 / 1.74 / 3.48; [flash] "Pro''s post-promo $1.74 / $3.48"; [pro-vs] Output $3.48 / M tok. The 2026-05-22 announcement of a permanent quarter price ([notes]) is not applied, per the product issue.',
 'migration V011');
