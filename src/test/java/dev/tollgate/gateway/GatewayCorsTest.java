package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.Browser;
import dev.tollgate.testing.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A web page on another origin calls the gateway from a real browser, as a chat front end or the OpenAI JS SDK
 * with {@code dangerouslyAllowBrowser} does: the browser's CORS checks decide what its script may read.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class GatewayCorsTest {

    /** fetch() from the page, answered with what the script could read of the response. */
    private static final String FETCH = """
            const [url, init, done] = arguments;
            fetch(url, init)
                .then(async r => done({status: r.status, requestId: r.headers.get('X-Request-Id'),
                        model: r.headers.get('X-Tollgate-Model'), body: await r.text()}))
                .catch(e => done({error: String(e)}));
            """;

    @TestHTTPResource("/")
    URL base;

    WebDriver browser;
    String key;

    @BeforeEach
    void pageOnAnotherOrigin() {
        key = issueKey(createTenant(uniqueSlug("cors")));
        browser = Browser.start();
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        // 127.0.0.1 and localhost are different origins to a browser, though the same server here
        browser.get(base.toString().replace("localhost", "127.0.0.1") + "q/health/live");
    }

    @AfterEach
    void close() {
        browser.quit();
    }

    @Test
    void aPageOnAnotherOriginReadsAnswersStreamsErrorsAndTollgatesHeaders() {
        Map<String, Object> answer = fetch("v1/chat/completions", "POST", "Bearer " + key,
                "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200L, answer.get("status"), String.valueOf(answer));
        assertTrue(answer.get("body").toString().contains("\"chat.completion\""), String.valueOf(answer));
        assertNotNull(answer.get("requestId"), "X-Request-Id is exposed to the page");
        assertEquals("deepseek-v4-flash", answer.get("model"));

        Map<String, Object> stream = fetch("v1/chat/completions", "POST", "Bearer " + key, "{\"model\":"
                + "\"deepseek-v4-flash\",\"stream\":true,\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200L, stream.get("status"), String.valueOf(stream));
        assertTrue(stream.get("body").toString().contains("data: [DONE]"), String.valueOf(stream));

        // An SDK shows the error's message only if the page may read it: not a bare "Failed to fetch".
        Map<String, Object> refused = fetch("v1/models", "GET", "Bearer tg-0000000000000000-nope", null);
        assertEquals(401L, refused.get("status"), String.valueOf(refused));
        assertTrue(refused.get("body").toString().contains("invalid_api_key"), String.valueOf(refused));
    }

    @Test
    void theAdminApiStaysClosedToOtherOrigins() {
        String basic = "Basic " + Base64.getEncoder().encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes());
        Map<String, Object> admin = fetch("api/admin/tenants", "GET", basic, null);
        assertTrue(String.valueOf(admin.get("error")).contains("Failed to fetch"), String.valueOf(admin));
    }

    @Test
    void anyOriginMeansAnyEvenOnesNoUrlParserKnows() {
        // apps' own schemes, a page opened from a file, and a malformed header: all served, none a 500
        for (String origin : List.of("tauri://localhost", "safari-web-extension://abc", "null", "http://")) {
            given().header("Origin", origin).header("Access-Control-Request-Method", "POST")
                    .options("/v1/chat/completions").then().statusCode(204).header("Access-Control-Allow-Origin", "*");
            given().header("Origin", origin).header("Authorization", "Bearer " + key).get("/v1/models").then()
                    .statusCode(200).header("Access-Control-Allow-Origin", "*");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> fetch(String path, String method, String authorization, String body) {
        Map<String, Object> headers = body == null ? Map.of("Authorization", authorization)
                : Map.of("Authorization", authorization, "Content-Type", "application/json");
        Map<String, Object> init = body == null ? Map.of("method", method, "headers", headers)
                : Map.of("method", method, "headers", headers, "body", body);
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(FETCH, base + path, init);
    }
}
