package dev.tollgate.gateway;

import dev.tollgate.platform.Sha256;
import java.util.regex.Pattern;

/**
 * DeepSeek keeps one prompt cache per account and {@code user_id}, and reports cache hits in every answer's usage.
 * All tenants call through the same account, so with {@code user_id} passed on as sent, one tenant could learn
 * whether another's prompt (a system prompt, a document) is cached by sending guesses and reading the hits, or
 * send another tenant's {@code user_id} to share its cache. The upstream therefore sees the tenant's own space:
 * {@code t<tenant id>} without a {@code user_id}, {@code t<tenant id>_<user_id>} with one. The map is one to one,
 * so different users of one tenant stay apart as before. A {@code user_id} outside DeepSeek's rule is left as sent,
 * for the upstream to refuse: all scoped ids keep to the rule, so an unscoped one never meets them.
 */
final class CacheScope {

    /** DeepSeek's rule for user_id. */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{0,512}");
    private static final int MAX_LENGTH = 512;

    private CacheScope() {
    }

    /** Whether a sent user_id is one DeepSeek takes, and so one to scope. */
    static boolean isValid(String sent) {
        return VALID.matcher(sent).matches();
    }

    /** The tenant's space for a valid sent user_id, or for none (null). */
    static String userId(long tenantId, String sent) {
        String tenant = "t" + tenantId;
        if (sent == null) {
            return tenant;
        }
        if (tenant.length() + 1 + sent.length() > MAX_LENGTH) {
            // a valid id the prefix would make too long: its digest instead ('-', so it cannot meet a sent id)
            return tenant + "-" + Sha256.hex(sent);
        }
        return tenant + "_" + sent;
    }
}
