-- The price book: USD per million tokens per model and token class, effective-dated.
-- An entry applies on [valid_from, valid_until) (valid_until null = open-ended). An entry with a
-- time-of-day window (UTC, [window_start, window_end), wrapping midnight when end < start) overrides
-- the plain entry of the same model and token class inside its window, e.g. off-peak prices.
-- Entries only ever change the future: see price_entry_only_future_changes below.
CREATE TABLE price_entry (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model                  VARCHAR(100)   NOT NULL REFERENCES model (id),
    token_class            VARCHAR(20)    NOT NULL
        CHECK (token_class IN ('input_cache_hit', 'input_cache_miss', 'output')),
    usd_per_million_tokens NUMERIC(20, 12) NOT NULL CHECK (usd_per_million_tokens >= 0),
    valid_from             TIMESTAMPTZ    NOT NULL,
    valid_until            TIMESTAMPTZ,
    window_start           TIME(0),
    window_end             TIME(0),
    note                   VARCHAR(2000)  NOT NULL,
    created_at             TIMESTAMPTZ    NOT NULL DEFAULT now(),
    created_by             VARCHAR(200)   NOT NULL,
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CHECK ((window_start IS NULL) = (window_end IS NULL)),
    CHECK (window_start IS NULL OR (window_start <> window_end
        AND window_start < TIME '24:00' AND window_end < TIME '24:00'))
);
CREATE INDEX price_entry_lookup_idx ON price_entry (model, token_class, valid_from);

-- A window as one or two ranges of seconds of the day: 16:30-00:30 is [59400, 86400) and [0, 1800).
CREATE FUNCTION price_window_ranges(s TIME, e TIME) RETURNS numrange[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN s < e
                THEN ARRAY[numrange(extract(epoch FROM s), extract(epoch FROM e))]
                ELSE ARRAY[numrange(extract(epoch FROM s), 86400), numrange(0, extract(epoch FROM e))]
           END
$$;

CREATE FUNCTION price_windows_overlap(s1 TIME, e1 TIME, s2 TIME, e2 TIME) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
    SELECT EXISTS (SELECT 1
                   FROM unnest(price_window_ranges(s1, e1)) a, unnest(price_window_ranges(s2, e2)) b
                   WHERE a && b)
$$;

-- At any instant at most one plain entry, and at most one windowed entry covering that time of day,
-- may apply per model and token class: otherwise the price of a call would be ambiguous.
CREATE FUNCTION price_entry_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    clash BIGINT;
BEGIN
    -- Writers of one model and token class queue here, so two concurrent inserts cannot both pass.
    PERFORM pg_advisory_xact_lock(hashtext('price_entry:' || NEW.model || ':' || NEW.token_class));
    SELECT p.id INTO clash
    FROM price_entry p
    WHERE p.model = NEW.model
      AND p.token_class = NEW.token_class
      AND p.id <> NEW.id
      AND tstzrange(p.valid_from, p.valid_until) && tstzrange(NEW.valid_from, NEW.valid_until)
      AND ((p.window_start IS NULL AND NEW.window_start IS NULL)
           OR (p.window_start IS NOT NULL AND NEW.window_start IS NOT NULL
               AND price_windows_overlap(p.window_start, p.window_end, NEW.window_start, NEW.window_end)))
    LIMIT 1;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'price entry for % % overlaps price entry %', NEW.model, NEW.token_class, clash
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- Triggers fire in name order: the guard against changing the past (price_entry_1_*) comes first.
CREATE TRIGGER price_entry_2_no_overlap BEFORE INSERT OR UPDATE ON price_entry
    FOR EACH ROW EXECUTE FUNCTION price_entry_no_overlap();

-- An entry that was in force for some past instant priced real calls: what it said about the past can
-- never change. Allowed: anything about entries that start in the future (kept in the future), and
-- moving the end of an entry in force between two future instants (closing an open-ended entry so that
-- a successor can take over). The INSERT trigger is created after the history is seeded (V012).
CREATE FUNCTION price_entry_only_future_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.valid_from <= now() THEN
            RAISE EXCEPTION 'a new price entry must start in the future, not at %', NEW.valid_from
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.valid_from <= now() THEN
            RAISE EXCEPTION 'price entry % has been in force since %: it can be superseded from a future instant, never deleted',
                OLD.id, OLD.valid_from USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.valid_from > now() THEN
        IF NEW.valid_from <= now() THEN
            RAISE EXCEPTION 'price entry % cannot be moved to start in the past (%)', OLD.id, NEW.valid_from
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF ROW(NEW.id, NEW.model, NEW.token_class, NEW.usd_per_million_tokens, NEW.valid_from, NEW.window_start,
           NEW.window_end, NEW.note, NEW.created_at, NEW.created_by)
       IS DISTINCT FROM
       ROW(OLD.id, OLD.model, OLD.token_class, OLD.usd_per_million_tokens, OLD.valid_from, OLD.window_start,
           OLD.window_end, OLD.note, OLD.created_at, OLD.created_by) THEN
        RAISE EXCEPTION 'price entry % has been in force since %: only its end may move, and only within the future',
            OLD.id, OLD.valid_from USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF coalesce(OLD.valid_until, 'infinity') <= now() OR coalesce(NEW.valid_until, 'infinity') <= now() THEN
        RAISE EXCEPTION 'price entry % has been in force since %: its end may only move between future instants (from % to %)',
            OLD.id, OLD.valid_from, OLD.valid_until, NEW.valid_until USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER price_entry_1_only_future_updates BEFORE UPDATE OR DELETE ON price_entry
    FOR EACH ROW EXECUTE FUNCTION price_entry_only_future_changes();

CREATE FUNCTION price_entry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'price_entry cannot be truncated: past entries priced real calls'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER price_entry_no_truncate BEFORE TRUNCATE ON price_entry
    FOR EACH STATEMENT EXECUTE FUNCTION price_entry_no_truncate();
