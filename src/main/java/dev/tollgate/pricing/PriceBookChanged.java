package dev.tollgate.pricing;

/** Fired when a price entry is created, closed or deleted; after commit the in-memory price book reloads. */
public record PriceBookChanged(long entryId) {
}
