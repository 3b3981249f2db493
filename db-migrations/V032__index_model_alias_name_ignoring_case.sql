-- Alias names are unique ignoring case: `Foo` next to `foo` would send callers one capital away to another
-- model. The service checks this before it inserts; the index stops two admins creating both at one instant.
-- If a database already holds such a pair, this fails naming it: delete one of the two, then start again.
CREATE UNIQUE INDEX model_alias_name_ignoring_case_key ON model_alias (lower(alias));
