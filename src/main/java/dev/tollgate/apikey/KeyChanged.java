package dev.tollgate.apikey;

/** Fired when a key's state changes; after commit the key cache drops its entry. */
public record KeyChanged(String publicId) {
}
