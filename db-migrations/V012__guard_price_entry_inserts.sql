-- From here on a new price entry must start in the future: inserting one that covers a past instant
-- would re-price calls already made (a windowed entry would even override a price in force).
-- History was seeded by V011, before this guard.
CREATE TRIGGER price_entry_1_only_future_inserts BEFORE INSERT ON price_entry
    FOR EACH ROW EXECUTE FUNCTION price_entry_only_future_changes();
