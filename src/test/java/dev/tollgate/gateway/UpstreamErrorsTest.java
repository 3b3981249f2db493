package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Upstream 400/422 answers reach the client as OpenAI error JSON, in the upstream's own words. */
class UpstreamErrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void retryAfterIsReadInSecondsOrAsADate() {
        assertEquals(-1, UpstreamErrors.retryAfterSeconds(null));
        assertEquals(-1, UpstreamErrors.retryAfterSeconds("soon"));
        assertEquals(7, UpstreamErrors.retryAfterSeconds(" 7 "));
        assertEquals(365L * 24 * 3600, UpstreamErrors.retryAfterSeconds("99999999999999999999"), "bounded, no overflow");
        assertEquals(0, UpstreamErrors.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"), "a date gone by");
        String inAMinute = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(90));
        long seconds = UpstreamErrors.retryAfterSeconds(inAMinute);
        assertEquals(true, seconds > 60 && seconds <= 90, "seconds until the date: " + seconds);
    }

    @Test
    void deepSeeksOwnErrorPassesUnchanged() {
        Buffer body = Buffer.buffer("{\"error\":{\"message\":\"Model Not Exist\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"invalid_request_error\"}}");
        assertSame(body, UpstreamErrors.asOpenAiError(JSON, 400, body));
    }

    @Test
    void otherServersWordsArePutIntoOpenAisShape() throws Exception {
        assertMessage("max_tokens must be at most 4096", 400,
                "{\"object\":\"error\",\"message\":\"max_tokens must be at most 4096\",\"type\":\"BadRequestError\",\"code\":400}");
        assertMessage("[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\"}]", 422,
                "{\"detail\":[{\"loc\":[\"body\",\"messages\"],\"msg\":\"field required\"}]}");
        assertMessage("bad request: temperature", 400, "bad request: temperature\n");
        assertMessage("The upstream refused the request (HTTP 400) without saying why.", 400, "");
    }

    private static void assertMessage(String expected, int status, String upstreamBody) throws Exception {
        JsonNode error = JSON.readTree(UpstreamErrors.asOpenAiError(JSON, status, Buffer.buffer(upstreamBody)).getBytes())
                .path("error");
        assertEquals(expected, error.path("message").asText());
        assertEquals("invalid_request_error", error.path("type").asText());
        assertEquals(true, error.has("param") && error.has("code"), "every OpenAI error field is present");
    }
}
