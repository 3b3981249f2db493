package dev.tollgate.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Keys look like {@code tg-<publicId>-<secret>}: a 64-bit public id to find the row, and 256 bits of
 * secret randomness of which only the SHA-256 is stored. Hex keeps '-' free as the separator.
 */
public final class KeyFormat {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final int PUBLIC_ID_BYTES = 8;
    private static final int SECRET_BYTES = 32;

    public record Parsed(String publicId, String secret) {
    }

    public record Generated(String publicId, String secret, String fullKey, byte[] secretSha256) {
    }

    private KeyFormat() {
    }

    public static Generated generate() {
        String publicId = randomHex(PUBLIC_ID_BYTES);
        String secret = randomHex(SECRET_BYTES);
        return new Generated(publicId, secret, "tg-" + publicId + "-" + secret, sha256(secret));
    }

    public static Optional<Parsed> parse(String key) {
        if (key == null || key.length() != 3 + PUBLIC_ID_BYTES * 2 + 1 + SECRET_BYTES * 2 || !key.startsWith("tg-")) {
            return Optional.empty();
        }
        String publicId = key.substring(3, 3 + PUBLIC_ID_BYTES * 2);
        if (key.charAt(3 + PUBLIC_ID_BYTES * 2) != '-') {
            return Optional.empty();
        }
        String secret = key.substring(4 + PUBLIC_ID_BYTES * 2);
        return isHex(publicId) && isHex(secret) ? Optional.of(new Parsed(publicId, secret)) : Optional.empty();
    }

    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of a presented secret with the stored hash. */
    public static boolean matches(String secret, byte[] storedSha256) {
        return MessageDigest.isEqual(sha256(secret), storedSha256);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
