package dev.tollgate.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.TestPostgres;
import dev.tollgate.platform.DataChanged;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.junit.jupiter.api.Test;

/**
 * A replica whose database goes away keeps pricing with the book it holds, and says how old that book is:
 * past the minimum lead time a price change may already apply without the replica knowing it.
 */
class PriceBookReloadTest {

    private static final Instant JUNE = Instant.parse("2026-06-15T00:00:00Z");

    @Test
    void aBookThatCannotBeReloadedKeepsPricingAndItsAgeKeepsGrowing() throws Exception {
        try (TestPostgres db = TestPostgres.start()) {
            PriceBook book = new PriceBook();
            book.dataSource = db.pool();
            book.registry = new SimpleMeterRegistry();
            book.onStart(null);
            Gauge age = book.registry.get("tollgate.pricing.book.age").gauge();
            Instant read = book.snapshot().loadedAt();
            PriceBook.Rate proOutput = book.snapshot().rate("deepseek-v4-pro", TokenClass.OUTPUT, JUNE);
            assertNotNull(proOutput);

            db.stop();
            book.refresh();
            assertEquals(read, book.snapshot().loadedAt(), "a failed reload must not pass for a fresh book");
            Instant now = Instant.now();
            assertTrue(age.value() >= Duration.between(read, now).toMillis() / 1000.0, "the age counts from the read");
            assertEquals(proOutput, book.snapshot().rate("deepseek-v4-pro", TokenClass.OUTPUT, JUNE));

            db.restart();
            book.refresh();
            assertTrue(book.snapshot().loadedAt().isAfter(read), "read again");
        }
    }

    /** The change feed's thread tells the book of a change while the price table is locked (a long migration). */
    @Test
    void aReloadHeldUpByTheDatabaseDoesNotHoldUpTheChangeFeed() throws Exception {
        try (TestPostgres db = TestPostgres.start();
                Connection locker = DriverManager.getConnection(db.url(), TestPostgres.USER, TestPostgres.PASSWORD)) {
            PriceBook book = new PriceBook();
            book.dataSource = db.pool();
            book.registry = new SimpleMeterRegistry();
            book.executor = ManagedExecutor.builder().build();
            book.init();
            book.onStart(null);
            Instant read = book.snapshot().loadedAt();
            locker.setAutoCommit(false);
            locker.createStatement().execute("lock table price_entry in access exclusive mode");

            // the feed must go on to its next announcement (a revoked key) while the reload waits
            assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> book.onDataChanged(new DataChanged("price_entry", null)));
            assertEquals(read, book.snapshot().loadedAt(), "not read yet: the table is locked");

            locker.rollback();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (book.snapshot().loadedAt().equals(read) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(book.snapshot().loadedAt().isAfter(read), "read once the table was free");
            book.executor.shutdown();
        }
    }
}
