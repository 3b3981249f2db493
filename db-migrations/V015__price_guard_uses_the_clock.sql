-- The guard against changing the past compared with now(), the instant the writing transaction began: a
-- transaction held open while an entry's start passed could still reprice, move or delete it, though calls
-- were already priced with it. clock_timestamp() is the instant of the write itself. Same rules as V010.
CREATE OR REPLACE FUNCTION price_entry_only_future_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at_write CONSTANT timestamptz := clock_timestamp();
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.valid_from <= at_write THEN
            RAISE EXCEPTION 'a new price entry must start in the future, not at %', NEW.valid_from
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.valid_from <= at_write THEN
            RAISE EXCEPTION 'price entry % has been in force since %: it can be superseded from a future instant, never deleted',
                OLD.id, OLD.valid_from USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.valid_from > at_write THEN
        IF NEW.valid_from <= at_write THEN
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
    IF coalesce(OLD.valid_until, 'infinity') <= at_write OR coalesce(NEW.valid_until, 'infinity') <= at_write THEN
        RAISE EXCEPTION 'price entry % has been in force since %: its end may only move between future instants (from % to %)',
            OLD.id, OLD.valid_from, OLD.valid_until, NEW.valid_until USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
