package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.UsageLedger;
import dev.tollgate.testing.SeparateSimulator;
import dev.tollgate.upstream.UpstreamEndpoint;
import dev.tollgate.upstream.Upstreams;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several endpoints for one model. Pro: an endpoint nobody listens on, one whose key is refused, one whose base
 * URL has a path the server does not serve, then one that works, so every call fails over three times. Flash: two working endpoints of equal priority weighted 9 to 1.
 */
@QuarkusTest
@TestProfile(UpstreamFailoverTest.TwoEndpointsPerModel.class)
public class UpstreamFailoverTest {

    public static class TwoEndpointsPerModel implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Endpoints.class));
        }
    }

    public static class Endpoints extends SeparateSimulator {
        @Override
        protected String apiKey() {
            return "sk-failover";
        }

        @Override
        protected Map<String, String> config(String simulatorBaseUrl) {
            int unusedPort;
            try (ServerSocket socket = new ServerSocket(0)) {
                unusedPort = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> c = new HashMap<>();
            // The default "deepseek" endpoint (the official API) stays as shipped, without a key, as in a
            // self-hosted set-up: it must take no calls.
            endpoint(c, "primary", simulatorBaseUrl, "deepseek-v4-flash", 0, 9);
            endpoint(c, "light", simulatorBaseUrl, "deepseek-v4-flash", 0, 1);
            endpoint(c, "nobody", "http://127.0.0.1:" + unusedPort, "deepseek-v4-pro", 0, 1);
            endpoint(c, "revoked", simulatorBaseUrl, "deepseek-v4-pro", 1, 1);
            c.put("tollgate.upstream.endpoints.revoked.api-key", "sk-revoked"); // the simulator answers 401
            // a base URL with a path the server does not have (a vLLM without its /v1): 404, the endpoint's fault
            endpoint(c, "wrongpath", simulatorBaseUrl + "/nowhere", "deepseek-v4-pro", 2, 1);
            endpoint(c, "backup", simulatorBaseUrl, "deepseek-v4-pro", 3, 1);
            // the line break a key read from a secret file ends with is not part of the key
            c.put("tollgate.upstream.endpoints.backup.api-key", "sk-failover\n");
            c.put("tollgate.gateway.max-attempts", "4");
            return c;
        }

        private static void endpoint(Map<String, String> c, String name, String baseUrl, String model, int priority,
                int weight) {
            String p = "tollgate.upstream.endpoints." + name + ".";
            c.put(p + "base-url", baseUrl);
            c.put(p + "api-key", "sk-failover");
            c.put(p + "models", model);
            c.put(p + "priority", String.valueOf(priority));
            c.put(p + "weight", String.valueOf(weight));
        }
    }

    private static String key;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    UsageLedger ledger;
    @Inject
    Upstreams upstreams;

    @BeforeEach
    void setUp() {
        if (key == null) {
            key = issueKey(createTenant(uniqueSlug("failover")));
        }
    }

    @Test
    void aCallMovesOnPastAnUnreachableEndpointOneWhoseKeyIsRefusedAndOneWithoutThePath() throws SQLException {
        Response r = ask("deepseek-v4-pro");
        r.then().statusCode(200);
        ledger.flush();
        assertEquals(List.of("1 nobody upstream_connect_error", "2 revoked upstream_http_401",
                "3 wrongpath upstream_http_404", "4 backup 200"), attempts(r.header("X-Request-Id")));
    }

    @Test
    void equalPriorityEndpointsShareCallsByWeight() throws SQLException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Response r = ask("deepseek-v4-flash");
            r.then().statusCode(200);
            ids.add(r.header("X-Request-Id"));
        }
        ledger.flush();
        int heavy = 0;
        for (String id : ids) {
            List<String> a = attempts(id);
            assertEquals(1, a.size(), "one attempt each: both endpoints work");
            heavy += a.get(0).equals("1 primary 200") ? 1 : 0;
        }
        // 9:1 gives 270 of 300 on average, standard deviation about 5; a 1:1 split would give 150
        assertTrue(heavy >= 240 && heavy <= 295, heavy + " of 300 calls on the endpoint weighted 9");
    }

    @Test
    void theOfficialApiWithoutAKeyIsLeftOutOfRotation() {
        assertEquals(Set.of("primary", "light", "nobody", "revoked", "wrongpath", "backup"),
                upstreams.all().stream().map(UpstreamEndpoint::name).collect(Collectors.toSet()));
    }

    private List<String> attempts(String requestId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("select attempt, upstream, coalesce(error_type, http_status::text)"
                        + " from usage_ledger where request_id = ? order by attempt")) {
            st.setString(1, requestId);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
            return rows;
        }
    }

    private static Response ask(String model) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .post("/v1/chat/completions");
    }
}
