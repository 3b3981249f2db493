-- Recent calls through an alias (who still sends an old name; the console asks before retiring one). Partial, on
-- first attempts that named an alias, a small share of the ledger, and covering the tenant, so the counts need not
-- read the rows. Created on the partitioned parent, so every partition, present and future, has it. Building it
-- holds each partition's writes until the migration commits: on a large ledger, each instance's rows wait in its
-- spool meanwhile (docs/ledger.md), as in any database outage.
CREATE INDEX usage_ledger_alias_idx ON usage_ledger (alias_used, received_at) INCLUDE (tenant_id)
    WHERE alias_used IS NOT NULL AND attempt = 1;
