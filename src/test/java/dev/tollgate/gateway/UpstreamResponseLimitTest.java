package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream cannot make the gateway hold more than the configured limits: an answer over
 * max-answer-size is cut off with an OpenAI-format 502, a stream event over max-event-size ends the stream
 * with an error event, and either attempt is still in the ledger. The limits here are small enough for
 * the simulator's answers with twenty top logprobs per token to pass them (24 KB, events of 1.7 KB), and its plain
 * answers (half a kilobyte, events of 300 bytes) not.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
@TestProfile(UpstreamResponseLimitTest.SmallLimits.class)
class UpstreamResponseLimitTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The simulator here also accepts one key only, which the gateway must send: every 200 below says it did.
            return Map.of("tollgate.upstream.max-answer-size", "4K", "tollgate.upstream.max-event-size", "1K",
                    "tollgate.simulator.api-key", "sk-simulator-only-this");
        }
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;

    private String key;

    @BeforeEach
    void setUp() {
        key = issueKey(createTenant(uniqueSlug("limits")));
    }

    @Test
    void anAnswerOverTheLimitIsAnOpenAi502AndTheAttemptIsStillRecorded() throws SQLException {
        ask(false, false).then().statusCode(200).body("choices[0].finish_reason", equalTo("stop"));

        Response big = ask(false, true);
        big.then().statusCode(502)
                .body("error.type", equalTo("api_error"))
                .body("error.code", equalTo("upstream_response_too_large"))
                .body("error.message", containsString("4096 bytes"))
                .header("X-Tollgate-Model", equalTo("deepseek-v4-flash"));
        ledger.flush();
        assertEquals("upstream_response_too_large 200 estimated", row(big.header("X-Request-Id")),
                "the upstream did the work: the attempt is billed on an estimate, flagged as such");
        // the logprobs, one entry per output token, come first and fill the 4 KB: that much output is billed
        long completion = completionTokens(big.header("X-Request-Id"));
        assertTrue(completion > 0 && completion <= 64, completion + " completion tokens");
    }

    @Test
    void aStreamEventOverTheLimitEndsTheStreamWithAnErrorEventAndTheAttemptIsStillRecorded() throws SQLException {
        assertTrue(ask(true, false).then().statusCode(200).extract().asString().endsWith("data: [DONE]\n\n"));

        Response big = ask(true, true);
        String body = big.then().statusCode(200).extract().asString();
        assertFalse(body.contains("[DONE]"), body);
        assertTrue(body.endsWith("\"code\":\"upstream_response_too_large\"}}\n\n"), body);
        assertTrue(body.contains("larger than this gateway accepts (1024 bytes)"), body);
        ledger.flush();
        assertEquals("upstream_response_too_large 200 estimated", row(big.header("X-Request-Id")));
    }

    private Response ask(boolean stream, boolean topLogprobs) {
        String extra = topLogprobs ? ",\"logprobs\":true,\"top_logprobs\":20" : "";
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"disabled\"},\"max_tokens\":64,\"stream\":" + stream + extra
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Describe the sea in a few sentences.\"}]}")
                .post("/v1/chat/completions");
    }

    private long completionTokens(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("select completion_tokens from usage_ledger where request_id = ?")) {
            st.setString(1, requestId);
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "no ledger row for " + requestId);
                return rs.getLong(1);
            }
        }
    }

    private String row(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("select error_type, http_status, usage_estimated"
                        + " from usage_ledger where request_id = ?")) {
            st.setString(1, requestId);
            try (ResultSet rs = st.executeQuery()) {
                assertTrue(rs.next(), "no ledger row for " + requestId);
                String row = rs.getString(1) + " " + rs.getInt(2) + (rs.getBoolean(3) ? " estimated" : " reported");
                assertFalse(rs.next(), "one attempt, no retry: the upstream has done the work");
                return row;
            }
        }
    }
}
