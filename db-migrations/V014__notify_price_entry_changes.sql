-- Price entry changes are announced to every instance (see V008): each reloads its whole price book.
CREATE TRIGGER price_entry_notify_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON price_entry FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_data_change();
