package dev.tollgate.platform;

import io.quarkus.hibernate.orm.panache.Panache;

/** A PostgreSQL advisory lock held to the end of the current transaction: callers with the same name take turns. */
public final class TransactionLock {

    private TransactionLock() {
    }

    public static void hold(String name) {
        // pg_advisory_xact_lock returns void, which a native query cannot map: count the one row instead
        Panache.getEntityManager().createNativeQuery(
                "select count(*) from (select pg_advisory_xact_lock(hashtextextended(?1, 0))) locked")
                .setParameter(1, name).getSingleResult();
    }
}
