package dev.tollgate.simulator;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A misbehaviour the simulator can be told to show, by request header, prompt marker or configuration.
 * The wire names are what tests write; they are listed in docs/simulator.md.
 */
public enum Fault {
    BAD_REQUEST("400"),
    UNAUTHORIZED("401"),
    INSUFFICIENT_BALANCE("402"),
    INVALID_PARAMETERS("422"),
    RATE_LIMITED("429"),
    SERVER_ERROR("500"),
    OVERLOADED("503"),
    /**
     * Accepts the request and sends nothing, not even headers (closed after ten minutes). With keep-alive: its 200
     * and keep-alives until then, as DeepSeek holds a call it has not started.
     */
    TIMEOUT("timeout"),
    /**
     * Reads the request, then closes the connection without a byte of answer: the server went away. With
     * keep-alive: closed after them, as DeepSeek ends a call whose inference never began.
     */
    DROP("drop"),
    /** Answers 200 with an HTML page instead of the API's answer: a proxy or captive portal in the way. */
    HTML_PAGE("html-page"),
    /** Sends about half of the answer, then drops the connection. */
    DISCONNECT_MID_STREAM("disconnect-mid-stream"),
    /** A stream sent whole, [DONE] included, whose response then stays open (closed after ten minutes). */
    HOLD_AFTER_DONE("hold-after-done"),
    /** A stream whose last event, [DONE], lacks the blank line that ends an event, as some servers send it. */
    UNTERMINATED_DONE("unterminated-done"),
    /** A whole stream, finish_reason and usage included, closed without [DONE]. */
    NO_DONE("no-done"),
    /** Sends about half of the answer, then nothing more (closed after ten minutes): an idle-read timeout. */
    STALL_MID_STREAM("stall-mid-stream"),
    /** The content is a JSON object cut short. */
    MALFORMED_JSON("malformed-json"),
    /** Calls a tool with arguments that are not valid JSON. */
    BAD_TOOL_ARGS("bad-tool-args"),
    /** Stops half way with finish_reason "length". */
    LENGTH("length"),
    /** Holds the connection first: blank lines before a JSON body, ": keep-alive" comments before a stream. */
    BLANK_LINES("blank-lines"),
    /** Same as blank-lines; the name a streaming test reads more naturally. */
    KEEP_ALIVE("keep-alive"),
    CONTENT_FILTER("content-filter"),
    INSUFFICIENT_SYSTEM_RESOURCE("insufficient-system-resource");

    public static final String HEADER = "X-Simulator-Fault";

    private final String wireName;

    Fault(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The HTTP status this fault answers with, or 0 when it is not an error response. */
    public int status() {
        return Character.isDigit(wireName.charAt(0)) ? Integer.parseInt(wireName) : 0;
    }

    public static Fault parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Fault f : values()) {
            if (f.wireName.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("Unknown simulator fault '" + value.trim() + "'; known: " + known());
    }

    /** A comma-separated list, e.g. "keep-alive,length". */
    public static Set<Fault> parseList(String value) {
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                faults.add(parse(part));
            }
        }
        return faults;
    }

    static String known() {
        return Arrays.stream(values()).map(Fault::wireName).collect(Collectors.joining(", "));
    }
}
