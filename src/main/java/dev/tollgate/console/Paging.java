package dev.tollgate.console;

/**
 * The console's {@code ?page=} links: a page number a person mistyped shows the first page, not an error; one past
 * the end shows the last page, which the list finds once it knows how many it has.
 */
final class Paging {

    /** Past any console list's last page, and small enough that page × size fits a long. */
    static final int PAST_THE_END = 1_000_000;

    private Paging() {
    }

    static int page(String value) {
        if (value == null || !value.matches("\\d+")) {
            return 0;
        }
        return value.length() > 6 ? PAST_THE_END : Integer.parseInt(value);
    }

    /** The last page of {@code total} items, {@code size} a page. */
    static int last(long total, int size) {
        return (int) Math.max(0, (total - 1) / size);
    }
}
