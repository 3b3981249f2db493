package dev.tollgate.catalog;

/** A model the gateway serves, as listed by GET /v1/models. */
public record CatalogModel(String id, String ownedBy) {
}
