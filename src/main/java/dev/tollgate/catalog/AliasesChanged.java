package dev.tollgate.catalog;

/** Fired when an alias or a tenant override changes; after commit the resolver reloads. */
public record AliasesChanged(String alias) {
}
