package dev.tollgate.catalog;

import java.time.Instant;

/** A model the gateway serves, as listed by GET /v1/models; created is its release, OpenAI's `created`. */
public record CatalogModel(String id, String ownedBy, Instant created) {
}
