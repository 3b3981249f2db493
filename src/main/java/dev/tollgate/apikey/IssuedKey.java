package dev.tollgate.apikey;

/** The answer to issuing or rotating a key: the only time the full key is ever shown. */
public record IssuedKey(String key, ApiKeyView apiKey) {
}
