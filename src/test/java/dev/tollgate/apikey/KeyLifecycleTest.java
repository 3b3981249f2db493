package dev.tollgate.apikey;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Each state of a key gets the right answer from the gateway, immediately after the change. */
@QuarkusTest
@Tag("external-db")
@QuarkusTestResource(PostgresResource.class)
class KeyLifecycleTest {

    @Test
    void activeKeyWorks() {
        String key = issueKey(createTenant(uniqueSlug("active")));
        assertModels(key, 200);
    }

    @Test
    void expiredKeyIsRefused() throws InterruptedException {
        String slug = createTenant(uniqueSlug("expiry"));
        Deadline<String> shortLived = beforeADeadline(expiresAt -> {
            String key = issueKey(slug, Map.of("name", "short-lived", "expiresAt", expiresAt.toString()));
            assertModels(key, 200);
            return key;
        });
        sleepPast(shortLived.at());
        assertModels(shortLived.value(), 401);
        asAdmin().get("/api/admin/tenants/" + slug + "/keys/" + publicId(shortLived.value())).then()
                .body("status", equalTo("EXPIRED"));
    }

    @Test
    void revokedKeyIsRefusedAtOnce() {
        String slug = createTenant(uniqueSlug("revoke"));
        String key = issueKey(slug);
        assertModels(key, 200); // now cached
        asAdmin().post("/api/admin/tenants/" + slug + "/keys/" + publicId(key) + "/revoke").then().statusCode(200)
                .body("status", equalTo("REVOKED")).body("revokedAt", notNullValue());
        assertModels(key, 401);
    }

    @Test
    void rotatedKeyWorksUntilTheGraceDeadlineThenStops() throws InterruptedException {
        record Rotated(String oldKey, String newKey) { }
        Deadline<Rotated> rotated = beforeADeadline(graceUntil -> {
            String slug = createTenant(uniqueSlug("rotate"));
            String oldKey = issueKey(slug);
            assertModels(oldKey, 200);
            String newKey = asAdmin().body(Map.of("graceUntil", graceUntil.toString()))
                    .post("/api/admin/tenants/" + slug + "/keys/" + publicId(oldKey) + "/rotate")
                    .then().statusCode(200).extract().path("key");
            assertNotEquals(oldKey, newKey);
            assertModels(oldKey, 200); // within grace
            assertModels(newKey, 200);
            asAdmin().get("/api/admin/tenants/" + slug + "/keys/" + publicId(oldKey)).then()
                    .body("replacedBy", equalTo(publicId(newKey)));
            return new Rotated(oldKey, newKey);
        });
        sleepPast(rotated.at());
        assertModels(rotated.value().oldKey(), 401); // after grace
        assertModels(rotated.value().newKey(), 200);
    }

    @Test
    void rotationWithoutGraceStopsTheOldKeyAtOnce() {
        String slug = createTenant(uniqueSlug("rotnow"));
        String oldKey = issueKey(slug);
        assertModels(oldKey, 200);
        String newKey = asAdmin().body("{}").post("/api/admin/tenants/" + slug + "/keys/" + publicId(oldKey) + "/rotate")
                .then().statusCode(200).extract().path("key");
        assertModels(oldKey, 401);
        assertModels(newKey, 200);
    }

    @Test
    void suspendedTenantsKeysStopAtOnceAndComeBackOnReactivation() {
        String slug = createTenant(uniqueSlug("suspend"));
        String key = issueKey(slug);
        assertModels(key, 200);
        asAdmin().post("/api/admin/tenants/" + slug + "/suspend").then().statusCode(200).body("status", equalTo("SUSPENDED"));
        assertModels(key, 401);
        asAdmin().post("/api/admin/tenants/" + slug + "/reactivate").then().statusCode(200).body("status", equalTo("ACTIVE"));
        assertModels(key, 200);
        asAdmin().post("/api/admin/tenants/" + slug + "/archive").then().statusCode(200).body("status", equalTo("ARCHIVED"));
        assertModels(key, 401);
    }

    @Test
    void lastUsedIsRecorded() throws InterruptedException {
        String slug = createTenant(uniqueSlug("lastused"));
        String key = issueKey(slug);
        assertModels(key, 200);
        String path = "/api/admin/tenants/" + slug + "/keys/" + publicId(key);
        for (int i = 0; i < 40 && asAdmin().get(path).path("lastUsedAt") == null; i++) {
            Thread.sleep(500);
        }
        asAdmin().get(path).then().body("lastUsedAt", notNullValue());
    }

    @Test
    void aRevocationRacingARotationIsNeverUndone() throws Exception {
        String slug = createTenant(uniqueSlug("race"));
        int pairs = 12;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            keys.add(issueKey(slug));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (String key : keys) {
                String path = "/api/admin/tenants/" + slug + "/keys/" + publicId(key);
                CountDownLatch start = new CountDownLatch(1);
                Future<Integer> revoke = pool.submit(() -> {
                    start.await();
                    return asAdmin().post(path + "/revoke").statusCode();
                });
                Future<Integer> rotate = pool.submit(() -> {
                    start.await();
                    return asAdmin().body(Map.of("graceUntil", Instant.now().plus(Duration.ofDays(30)).toString()))
                            .post(path + "/rotate").statusCode();
                });
                start.countDown();
                assertEquals(200, revoke.get(60, TimeUnit.SECONDS));
                int rotated = rotate.get(60, TimeUnit.SECONDS);
                assertTrue(rotated == 200 || rotated == 400, "rotate answered " + rotated); // 400: already revoked
                // whichever came first, the revoked key stays revoked
                asAdmin().get(path).then().body("status", equalTo("REVOKED")).body("revokedAt", notNullValue());
                assertModels(key, 401);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoRotationsAtOnceMakeOneSuccessor() throws Exception {
        String slug = createTenant(uniqueSlug("rerot"));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 6; i++) {
                String path = "/api/admin/tenants/" + slug + "/keys/" + publicId(issueKey(slug));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> rotations = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    rotations.add(pool.submit(() -> {
                        start.await();
                        return asAdmin().body("{}").post(path + "/rotate").statusCode();
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> f : rotations) {
                    statuses.add(f.get(60, TimeUnit.SECONDS));
                }
                statuses.sort(null);
                assertEquals(List.of(200, 400), statuses, "a double-click on Rotate issues one new key, not two");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static String publicId(String key) {
        return key.split("-")[1];
    }

    record Deadline<T>(Instant at, T value) { }

    /**
     * Runs steps that must all happen before a deadline a few seconds ahead, and returns what they made. If a busy
     * machine took them past it, what they checked proves nothing: they run again with twice the time, up to 16 s.
     */
    private static <T> Deadline<T> beforeADeadline(Function<Instant, T> steps) {
        for (int seconds = 2; ; seconds *= 2) {
            Instant deadline = Instant.now().plusSeconds(seconds);
            T value;
            try {
                value = steps.apply(deadline);
            } catch (AssertionError e) {
                if (Instant.now().isBefore(deadline) || seconds >= 16) {
                    throw e;
                }
                continue;
            }
            if (Instant.now().isBefore(deadline)) {
                return new Deadline<>(deadline, value);
            }
            if (seconds >= 16) {
                throw new AssertionError("the steps took over " + seconds + " s: the machine is too busy to tell");
            }
        }
    }

    private static void sleepPast(Instant instant) throws InterruptedException {
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), instant).toMillis()) + 500);
    }

    private static void assertModels(String key, int status) {
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(status);
    }

    /** A client that retries an issue request (its answer lost) gets no second live key. */
    @Test
    void anIssueRepeatedWithItsIdempotencyKeyIssuesNothingEvenWhenSentAtOnce() throws Exception {
        String slug = createTenant(uniqueSlug("idem"));
        String path = "/api/admin/tenants/" + slug + "/keys";
        asAdmin().header("Idempotency-Key", "deploy-42").body(Map.of("name", "ci")).post(path).then().statusCode(201);
        asAdmin().header("Idempotency-Key", "deploy-42").body(Map.of("name", "ci")).post(path).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("already issued for this Idempotency-Key: tg-"));
        asAdmin().header("Idempotency-Key", "x".repeat(101)).body(Map.of("name", "ci")).post(path).then()
                .statusCode(400).body("errors[0].field", equalTo("Idempotency-Key"));

        // eight copies of one request at the same moment: one key, seven refusals
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<io.restassured.response.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return asAdmin().header("Idempotency-Key", "deploy-43").body(Map.of("name", "cd")).post(path);
            }));
        }
        go.countDown();
        List<io.restassured.response.Response> responses = new ArrayList<>();
        for (Future<io.restassured.response.Response> a : answers) {
            responses.add(a.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        String issued = responses.stream().filter(r -> r.statusCode() == 201).map(r -> r.<String>path("apiKey.prefix"))
                .findFirst().orElseThrow();
        List<String> refusals = responses.stream().filter(r -> r.statusCode() != 201).map(r -> r.statusCode() + " "
                + r.<String>path("detail")).toList();
        assertEquals(7, refusals.size(), refusals.toString());
        // each refusal names the key the request that won issued, so every copy learns which key it has
        assertTrue(refusals.stream().allMatch(r -> r.startsWith("409 ") && r.contains(issued)), refusals + " " + issued);
        // a request without the header is a new key each time
        asAdmin().body(Map.of("name", "ci")).post(path).then().statusCode(201);
        asAdmin().get(path).then().statusCode(200).body("size()", equalTo(3));
    }
}
