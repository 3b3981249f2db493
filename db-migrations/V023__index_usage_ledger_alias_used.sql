-- Recent calls through an alias (who a change to it would affect: the console asks before retiring one).
-- Partial: only calls that named an alias, a small share of the ledger, pay for the index. Created on the
-- partitioned parent, so every partition, present and future, has it.
CREATE INDEX usage_ledger_alias_idx ON usage_ledger (alias_used, received_at) WHERE alias_used IS NOT NULL;
