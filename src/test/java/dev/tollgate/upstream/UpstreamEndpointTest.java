package dev.tollgate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.upstream.UpstreamEndpoint.Target;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where an endpoint's calls go, read from its base URL once, and the key as it goes in the header. */
class UpstreamEndpointTest {

    private static final String PROPERTY = "tollgate.upstream.endpoints.x.base-url";

    @Test
    void baseUrlsAsOperatorsWriteThem() {
        assertEquals(new Target("api.deepseek.com", 443, true, "/chat/completions"),
                Target.of(PROPERTY, "https://api.deepseek.com"));
        assertEquals(new Target("vllm", 8000, false, "/v1/chat/completions"), Target.of(PROPERTY, "http://vllm:8000/v1/"));
        assertEquals(new Target("api.deepseek.com", 443, true, "/v1/chat/completions"),
                Target.of(PROPERTY, " HTTPS://api.deepseek.com/v1 "));
        // java.net.URI reads no host from a name with '_' (a docker-compose service): it was sent to localhost:80
        assertEquals(new Target("vllm_server", 8000, false, "/v1/chat/completions"),
                Target.of(PROPERTY, "http://vllm_server:8000/v1"));
        assertEquals(new Target("sglang_a", 80, false, "/chat/completions"), Target.of(PROPERTY, "http://sglang_a"));
    }

    @Test
    void aPasswordInTheBaseUrlStopsTheStartWithoutBeingRepeated() {
        for (String bad : new String[] {"http://u:s3cret@vllm:8000/v1", "https://s3cret@api.deepseek.com",
                "http://u:s3cret@bad_host/v1", "http://u:s3cret{@vllm/v1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(PROPERTY, bad),
                    bad);
            assertTrue(e.getMessage().startsWith(PROPERTY + " has a user name or password"), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
        // a key in the query, or a password whose '/' hides its '@' from that check: refused, and not quoted
        for (String bad : new String[] {"https://api.deepseek.com/v1?api-key=sk-s3cret", "https://u:pa/s3cret@host/v1",
                "https://host/v1#sk-s3cret", "https://h/v1?api-key=sk-s3cret^x", "https://u:pa?s3cret@host/v1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(PROPERTY, bad),
                    bad);
            assertTrue(e.getMessage().startsWith(PROPERTY), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
    }

    @Test
    void theBalanceIsAskedForBesideTheChatPath() {
        assertEquals("/user/balance", endpoint("https://api.deepseek.com").balanceRequest().getURI());
        assertEquals("/v1/user/balance", endpoint("https://api.deepseek.com/v1/").balanceRequest().getURI());
        assertEquals("/proxy/deepseek/user/balance", endpoint("http://gw/proxy/deepseek").balanceRequest().getURI());
    }

    private static UpstreamEndpoint endpoint(String baseUrl) {
        return new UpstreamEndpoint("x", baseUrl, "sk-x", Set.of(), 0, 1, Duration.ofSeconds(5),
                Duration.ofSeconds(600), null, null, Target.of(PROPERTY, baseUrl));
    }

    @Test
    void aBaseUrlWithoutSchemeOrHostStopsTheStartNamingTheProperty() {
        for (String bad : new String[] {"vllm:8000/v1", "api.deepseek.com", "ftp://host/v1", "http://", "http:///v1",
                "https://host/v1?x=1", "http://user@bad_host/v1", "http://bad_host:port/v1", "http://bad_host:/v1", "http://bad_host:-1/v1",
                "http://vllm:99999/v1", "http://vllm:0/v1", "not a url"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.of(PROPERTY, bad), bad);
            assertTrue(e.getMessage().startsWith(PROPERTY), e.getMessage());
        }
    }

    @Test
    void aKeyLosesTheLineBreakOfItsSecretFileAndOtherControlCharactersAreRefusedWithoutShowingIt() {
        assertEquals("sk-abc", UpstreamEndpoint.headerSafeKey("p", "sk-abc\n"));
        assertEquals("sk-abc", UpstreamEndpoint.headerSafeKey("p", " sk-abc\r\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpstreamEndpoint.headerSafeKey("tollgate.upstream.endpoints.x.api-key", "sk-secret\nsk-other"));
        assertTrue(e.getMessage().startsWith("tollgate.upstream.endpoints.x.api-key"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-secret"), "the key is not in the message");
    }
}
