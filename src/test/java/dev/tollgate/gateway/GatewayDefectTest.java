package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.catalog.CatalogModel;
import dev.tollgate.catalog.ModelCatalog;
import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.upstream.UpstreamEndpoint;
import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A defect in a step the upstream's answer runs through (here: recording it throws, once) ends the call at once,
 * as an upstream failure would, instead of leaving it open until the client gives up. A defect on the other
 * gateway routes gets the same error code.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class GatewayDefectTest {

    static final String CHAT = "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":16,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @TestHTTPResource("/v1/chat/completions")
    URL chat;
    @Inject
    CallRecorder recorder;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;

    String key;

    /** Throws instead of recording the first whole answer of a call tagged "defect"; records everything else. */
    static class FailingOnce extends CallRecorder {
        final CallRecorder real;

        FailingOnce(CallRecorder real) {
            this.real = real;
        }

        @Override
        void attempt(ChatCall call, UpstreamEndpoint endpoint, int status, String errorType, String finishReason,
                Usage usage) {
            if (errorType == null && call.tags.contains("defect")) {
                throw new IllegalStateException("a defect in a step of the call");
            }
            if (errorType == null && call.tags.contains("out-of-memory")) {
                throw new OutOfMemoryError("Java heap space (thrown by this test)");
            }
            real.attempt(call, endpoint, status, errorType, finishReason, usage);
        }

        @Override
        void refused(ChatCall call, int status, String errorCode) {
            real.refused(call, status, errorCode);
        }
    }

    @BeforeEach
    void defectiveRecorder() {
        QuarkusMock.installMockForType(new FailingOnce(ClientProxy.unwrap(recorder)), CallRecorder.class);
        key = issueKey(createTenant(uniqueSlug("defect")));
    }

    @Test
    void aCallADefectBreaksOffIsAnswered500AndRecorded() throws Exception {
        HttpResponse<String> res = send(CHAT);
        assertEquals(500, res.statusCode(), res.body());
        assertTrue(res.body().contains("\"code\":\"internal_error\""), res.body());
        assertEquals("gateway_error", errorTypeOf(res.headers().firstValue("X-Request-Id").orElseThrow()));
    }

    @Test
    void aCallTheHeapRunningOutBreaksOffIsAnswered500AndRecordedNotLeftHanging() throws Exception {
        HttpResponse<String> res = send(CHAT, "out-of-memory");
        assertEquals(500, res.statusCode(), res.body());
        assertTrue(res.body().contains("\"code\":\"internal_error\""), res.body());
        assertEquals("gateway_error", errorTypeOf(res.headers().firstValue("X-Request-Id").orElseThrow()));
    }

    @Test
    void aStreamADefectBreaksOffIsClosedAndRecordedWithWhatItCarried() throws Exception {
        HttpResponse<String> res = send(CHAT.replace("{\"model\"", "{\"stream\":true,\"model\""));
        assertEquals(200, res.statusCode());
        assertTrue(res.body().contains("data: [DONE]") && res.body().endsWith(
                "\"code\":\"internal_error\"}}\n\n"), res.body());
        String requestId = res.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("gateway_error", errorTypeOf(requestId));
        // the whole answer had streamed, its usage with it: billed as the upstream counted it
        assertEquals("16 false", recorded(requestId, "completion_tokens || ' ' || usage_estimated"));
    }

    @Test
    void aModelListADefectBreaksOffIsAnswered500WithTheChatRoutesCode() {
        QuarkusMock.installMockForType(new ModelCatalog() {
            @Override
            public List<CatalogModel> models() {
                throw new IllegalStateException("a defect in the catalog");
            }
        }, ModelCatalog.class);
        given().header("Authorization", "Bearer " + key).get("/v1/models").then().statusCode(500)
                .body("error.type", equalTo("api_error")).body("error.code", equalTo("internal_error"));
    }

    /** Waits 20 s for the whole answer: without the guard the call would stay open, its stream too. */
    private HttpResponse<String> send(String body) throws Exception {
        return send(body, "defect");
    }

    private HttpResponse<String> send(String body, String tag) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(chat.toString()))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .header("X-Tollgate-Tags", tag).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        CompletableFuture<HttpResponse<String>> answer = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return answer.get(20, TimeUnit.SECONDS);
        } finally {
            answer.cancel(true);
        }
    }

    private String errorTypeOf(String requestId) throws Exception {
        return recorded(requestId, "error_type");
    }

    /** An expression over the call's one ledger row. */
    private String recorded(String requestId, String expression) throws Exception {
        ledger.flush();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select " + expression + " from usage_ledger where request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the attempt has its ledger row");
                String value = rs.getString(1);
                assertTrue(!rs.next(), "one row");
                return value;
            }
        }
    }
}
