package dev.tollgate.catalog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The response headers of an aliased call, formatted exactly as their RFCs ask. */
public final class AliasHeaders {

    /** RFC 9745: when the alias was (or will be) deprecated. */
    public static final String DEPRECATION = "Deprecation";
    /** RFC 8594: when the alias stops (or stopped) being served as before. */
    public static final String SUNSET = "Sunset";
    /** RFC 8288 links with rel "deprecation" (RFC 9745) and "sunset" (RFC 8594) to the migration guide. */
    public static final String LINK = "Link";
    /**
     * Tollgate's warning in mode rewrite-and-warn (and reject-after-sunset before the sunset). The
     * standard {@code Warning} header is obsolete (RFC 9111) and dropped by many clients and proxies.
     */
    public static final String WARNING = "X-Tollgate-Warning";

    // RFC 9110 IMF-fixdate: always two-digit days, English names, GMT.
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private AliasHeaders() {
    }

    /** RFC 9745 structured-field date: {@code @} and whole seconds since the epoch, e.g. {@code @1776988800}. */
    public static String deprecation(Instant deprecatedAt) {
        return "@" + deprecatedAt.getEpochSecond();
    }

    /** RFC 8594 HTTP-date (IMF-fixdate), e.g. {@code Fri, 24 Jul 2026 15:59:00 GMT}. */
    public static String sunset(Instant sunsetAt) {
        return IMF_FIXDATE.format(sunsetAt.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Both relations point at the migration guide. */
    public static String link(String guide) {
        return "<" + guide + ">; rel=\"deprecation\", <" + guide + ">; rel=\"sunset\"";
    }

    /** A header value may only hold visible ASCII and spaces; anything else becomes '?'. */
    static String headerSafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
