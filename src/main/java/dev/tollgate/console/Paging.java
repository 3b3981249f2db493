package dev.tollgate.console;

/** The console's {@code ?page=} links: a page number a person mistyped shows the first page, not an error. */
final class Paging {

    private Paging() {
    }

    static int page(String value) {
        return value != null && value.matches("\\d{1,6}") ? Integer.parseInt(value) : 0;
    }
}
