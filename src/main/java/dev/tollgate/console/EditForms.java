package dev.tollgate.console;

/** What the console's edit forms have in common. */
final class EditForms {

    private EditForms() {
    }

    /**
     * The version an edit form sent back in its hidden field, or null when it sent none that can be one: the
     * save then applies whatever happened meanwhile, as an API call without a version does.
     */
    static Long version(String value) {
        return value != null && value.matches("\\d{1,18}") ? Long.valueOf(value) : null;
    }
}
