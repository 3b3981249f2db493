package dev.tollgate.security;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.http.conn.params.ConnRoutePNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Local mode refuses an address that keeps failing to log in, for a while, in the console and the admin API. */
@QuarkusTest
@TestProfile(LoginThrottleTest.ThreeTries.class)
class LoginThrottleTest {

    public static class ThreeTries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // a lockout long enough that a slow machine's pauses between steps do not let failures expire
            return Map.of("tollgate.auth.login-failures-allowed", "3", "tollgate.auth.login-lockout", "8s");
        }
    }

    // Each test signs in from an address of its own (all of 127/8 is this machine), so that none waits out the
    // lockout another caused.
    private static final AtomicInteger LAST_ADDRESS = new AtomicInteger(1);
    private RestAssuredConfig configBefore;

    @BeforeEach
    void signInFromAnAddressOfThisTestsOwn() throws UnknownHostException {
        configBefore = RestAssured.config;
        signInFromANewAddress();
    }

    @AfterEach
    void signInFromTheUsualAddressAgain() {
        RestAssured.config = configBefore;
    }

    private static void signInFromANewAddress() throws UnknownHostException {
        InetAddress address = InetAddress.getByName("127.0.0." + LAST_ADDRESS.incrementAndGet());
        RestAssuredConfig config = RestAssured.config();
        RestAssured.config = config.httpClient(config.getHttpClientConfig()
                .setParam(ConnRoutePNames.LOCAL_ADDRESS, address));
    }

    private static void waitUntilThisAddressMayLogInAgain() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still refused after the lockout");
            }
            Thread.sleep(250);
        }
    }

    @Test
    void theAdminApiRefusesAnAddressAfterThreeWrongPasswords() throws Exception {
        as(ADMIN, "wrong-password-1").get("/api/admin/tenants").then().statusCode(401);
        as(ADMIN, "wrong-password-2").get("/api/admin/tenants").then().statusCode(401);
        // a right password takes back only its own count: it does not clear the failures (or anyone could, with
        // an account of their own, between guesses at another's password)
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(200);
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(200);
        as(ADMIN, "wrong-password-3").get("/api/admin/tenants").then().statusCode(401);
        // now even the right password is refused, in the API's error format, with when to come back
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", "8")
                .body("detail", containsString("failed logins"));
        // only this address: the same user signs in from another meanwhile
        RestAssuredConfig thisAddress = RestAssured.config;
        signInFromANewAddress();
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(200);
        RestAssured.config = thisAddress;
        waitUntilThisAddressMayLogInAgain(); // the lockout ends by itself
    }

    @Test
    void guessesSentAllAtOnceAreBoundedToo() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            List<Future<Integer>> guesses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String guess = "wrong-password-at-once-" + i;
                guesses.add(clients.submit(() -> as(ADMIN, guess).get("/api/admin/tenants").statusCode()));
            }
            int checked = 0;
            for (Future<Integer> g : guesses) {
                int status = g.get(60, TimeUnit.SECONDS);
                assertTrue(status == 401 || status == 429, "status " + status);
                checked += status == 401 ? 1 : 0;
            }
            assertEquals(3, checked, "passwords checked: each counts when it arrives, not when it has been checked");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aBasicLoginBehindAnotherAuthorizationHeaderIsCountedToo() {
        // Quarkus takes the first Basic header of several: each such guess counts
        for (int i = 0; i < 3; i++) {
            String basic = java.util.Base64.getEncoder().encodeToString((ADMIN + ":wrong-password-" + i).getBytes());
            given().header("Authorization", "Bearer not-a-password").header("Authorization", "Basic " + basic)
                    .get("/api/admin/tenants").then().statusCode(401);
        }
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(429);
    }

    @Test
    void aBasicLoginOnAPathWithSegmentParametersIsNotChecked() {
        // Quarkus' permissions and the API's routes read /api/admin;x=y/tenants as /api/admin/tenants, so a password
        // sent there was checked, but outside the count: as many guesses as anyone cared to send
        for (int i = 0; i < 3; i++) {
            as(ADMIN, "wrong-password-" + i).urlEncodingEnabled(false).get("/api/admin;x=y/tenants").then()
                    .statusCode(404);
        }
        as(ADMIN, ADMIN_PASSWORD).urlEncodingEnabled(false).get("/api;x=y/admin/tenants").then().statusCode(404);
        as(ADMIN, ADMIN_PASSWORD).get("/api/admin/tenants").then().statusCode(200);
    }

    @Test
    void everyPathQuarkusTakesAFormLoginOnIsGuarded() {
        // Quarkus' form login answers a post to any path ending in /j_security_check
        Response crossSite = given().redirects().follow(false).header("Sec-Fetch-Site", "cross-site")
                .formParam("j_username", ADMIN).formParam("j_password", ADMIN_PASSWORD)
                .post("/console/j_security_check");
        assertEquals(403, crossSite.statusCode());
        for (int i = 0; i < 3; i++) {
            given().redirects().follow(false).formParam("j_username", ADMIN).formParam("j_password", "wrong-" + i)
                    .post("/console/j_security_check").then().statusCode(302);
        }
        login(ADMIN, ADMIN_PASSWORD).then().statusCode(303).header("Location", endsWith("/login?error=locked"));
    }

    @Test
    void theConsoleLoginRefusesAnAddressAfterThreeWrongPasswordsInARow() {
        for (int i = 0; i < 3; i++) {
            login(ADMIN, "wrong-password-" + i).then().statusCode(302).header("Location", containsString("error=true"));
        }
        login(ADMIN, ADMIN_PASSWORD).then().statusCode(303).header("Location", endsWith("/login?error=locked"));
        given().get("/login?error=locked").then().statusCode(200)
                .body(containsString("Too many failed logins from your address"));
    }

    @Test
    void aLoginPostedByAnotherSiteIsRefused() {
        Response r = given().redirects().follow(false).header("Sec-Fetch-Site", "cross-site")
                .formParam("j_username", ADMIN).formParam("j_password", ADMIN_PASSWORD).post("/j_security_check");
        assertEquals(403, r.statusCode());
        assertEquals(null, r.cookie("quarkus-credential"), "no session for a sign-in another site posted");
        login(ADMIN, ADMIN_PASSWORD).then().statusCode(302).header("Location", endsWith("/console"))
                .cookie("quarkus-credential", org.hamcrest.Matchers.notNullValue());
    }

    /**
     * A post that is no login form: a JSON or bodiless one was a 500 with a stack trace in the log, and a form
     * without the name or the password an empty page.
     */
    @Test
    void aPostThatIsNoLoginFormIsRefusedAsSuch() throws Exception {
        for (String type : new String[] {"application/json", "text/plain"}) {
            given().redirects().follow(false).contentType(type).body("{\"j_username\": \"admin\"}")
                    .post("/j_security_check").then().statusCode(415).body(containsString("login form"));
        }
        // no body and no Content-Type at all, as curl -X POST sends it
        HttpResponse<String> bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/j_security_check"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, bare.statusCode());
        given().redirects().follow(false).formParam("j_password", ADMIN_PASSWORD).post("/j_security_check").then()
                .statusCode(302).header("Location", endsWith("/login?error=true"));
        given().redirects().follow(false).formParam("j_username", ADMIN).post("/j_security_check").then()
                .statusCode(302).header("Location", endsWith("/login?error=true"));
        login(ADMIN, ADMIN_PASSWORD).then().statusCode(302).header("Location", endsWith("/console"));
    }

    private static Response login(String username, String password) {
        return given().redirects().follow(false).header("Sec-Fetch-Site", "same-origin")
                .formParam("j_username", username).formParam("j_password", password).post("/j_security_check");
    }
}
