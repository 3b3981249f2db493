package dev.tollgate.apikey;

/**
 * An issue request repeated with the token of one that already issued a key (a resubmitted form, a client's
 * retry). Its secret was shown once, to the first request; nothing is issued again.
 */
public class KeyAlreadyIssuedException extends RuntimeException {

    private final ApiKeyView key;

    public KeyAlreadyIssuedException(ApiKeyView key) {
        super("key " + key.publicId() + " was already issued for this request");
        this.key = key;
    }

    public ApiKeyView key() {
        return key;
    }
}
