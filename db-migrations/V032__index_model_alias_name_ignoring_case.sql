-- Alias names are unique ignoring case: `Foo` next to `foo` would send callers one capital away to another
-- model. The service checks this before it inserts; the index stops two admins creating both at one instant.
-- A database from before that check may hold such a pair: the start then stops here, naming it.
DO $$
DECLARE
    pairs TEXT;
BEGIN
    SELECT string_agg(names, '; ') INTO pairs FROM (
        SELECT string_agg(alias, ' and ' ORDER BY alias) AS names
        FROM model_alias GROUP BY lower(alias) HAVING count(*) > 1) same;
    IF pairs IS NOT NULL THEN
        RAISE EXCEPTION 'Model aliases that differ only in capitals: %. Keep one of each (DELETE FROM model_alias'
            ' WHERE alias = ''...''; its tenant overrides go with it), then start Tollgate again.', pairs;
    END IF;
END $$;

CREATE UNIQUE INDEX model_alias_name_ignoring_case_key ON model_alias (lower(alias));
