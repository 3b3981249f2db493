package dev.tollgate.gateway;

import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createTenant;
import static dev.tollgate.testing.TestData.issueKey;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.errors.UnprocessableEntityException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.tollgate.platform.TollgateConfig;
import dev.tollgate.simulator.EmbeddedSimulator;
import dev.tollgate.testing.PostgresResource;
import dev.tollgate.upstream.Upstreams;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, unchanged apart from its base URL and key, against Tollgate: what an
 * application written for OpenAI sees. DeepSeek's own fields go through the SDK's additional properties.
 */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class OpenAiSdkTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLASH = "deepseek-v4-flash";
    private static final String PRO = "deepseek-v4-pro";
    /** DeepSeek V4's release, 2026-04-24 00:00 UTC, as the catalog's seed gives it (epoch seconds). */
    private static final long V4_LAUNCH = 1776988800L;

    private static String key;
    private static String flashOnlyKey;

    @Inject
    EmbeddedSimulator embedded;
    @Inject
    Upstreams upstreams;
    @Inject
    TollgateConfig config;

    @TestHTTPResource("/v1")
    URL baseUrl;

    private SimulatorControl sim;
    private final List<OpenAIClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() {
        sim = new SimulatorControl(embedded.baseUrl(), upstreams);
        sim.reset();
        if (key == null) {
            String tenant = createTenant(uniqueSlug("sdk"));
            key = issueKey(tenant);
            flashOnlyKey = issueKey(tenant, Map.of("name", "flash only", "allowedModels", List.of(FLASH)));
        }
    }

    @AfterEach
    void tearDown() {
        clients.forEach(OpenAIClient::close);
        clients.clear();
        sim.reset(); // no queued fault or open breaker leaks into the next test
    }

    /** An application's client: the SDK as shipped, pointed at Tollgate. */
    private OpenAIClient client(String apiKey) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey(apiKey).build();
        clients.add(client);
        return client;
    }

    private OpenAIClient client() {
        return client(key);
    }

    private static ChatCompletionCreateParams.Builder ask(String model, String text) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
    }

    // ------------------------------------------------------------------ chat

    @Test
    void nonStreamingChat() {
        HttpResponseFor<ChatCompletion> raw = client().chat().completions().withRawResponse()
                .create(ask(FLASH, "What is 1+1?").build());
        assertEquals(200, raw.statusCode());
        assertEquals(List.of(FLASH), raw.headers().values("X-Tollgate-Model"));
        assertFalse(raw.headers().values("X-Request-Id").isEmpty());

        ChatCompletion completion = raw.parse();
        completion.validate(); // every field the SDK knows has the type it expects
        assertEquals(FLASH, completion.model());
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertFalse(choice.message().content().orElse("").isBlank());

        CompletionUsage usage = completion.usage().orElseThrow();
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
        assertEquals(9, usage.promptTokens(), "the simulator's documented token count for this prompt");
        assertEquals(usage.promptTokens(), number(usage._additionalProperties(), "prompt_cache_hit_tokens")
                + number(usage._additionalProperties(), "prompt_cache_miss_tokens"));
    }

    /** The SDK's developer messages (OpenAI's newer name for system ones) work, though DeepSeek refuses the role. */
    @Test
    void developerMessagesWork() {
        ChatCompletion completion = client().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(FLASH).addDeveloperMessage("Answer in one word.").addUserMessage("What is 1+1?").build());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
    }

    /**
     * The SDK sends its output limit as max_completion_tokens (its maxTokens is deprecated), which DeepSeek does
     * not read: the limit still holds, streamed or not.
     */
    @Test
    void maxCompletionTokensLimitsTheAnswer() {
        ChatCompletionCreateParams params = ask(FLASH, "Tell me a long story about a lighthouse keeper.")
                .maxCompletionTokens(5).build();
        ChatCompletion completion = client().chat().completions().create(params);
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, completion.choices().get(0).finishReason());
        assertEquals(5, completion.usage().orElseThrow().completionTokens());

        ChatCompletionAccumulator streamed = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> chunks = client().chat().completions().createStreaming(
                params.toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks.stream().forEach(streamed::accumulate);
        }
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH,
                streamed.chatCompletion().choices().get(0).finishReason());
        assertEquals(5, streamed.chatCompletion().usage().orElseThrow().completionTokens());
    }

    /**
     * Usage arrives the way OpenAI documents it, in a final chunk with empty choices, whichever form the
     * upstream used (DeepSeek's live traffic puts it on the finish chunk): the SDK's own accumulator needs that.
     */
    @Test
    void streamingWithIncludeUsageHasUsageOnTheLastChunk() {
        for (String form : List.of("live", "documented")) {
            ChatCompletionCreateParams params = ask(FLASH, "Count to five. [[sim:usage=" + form + "]]")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
            List<ChatCompletionChunk> chunks = stream(client(), params);
            chunks.forEach(ChatCompletionChunk::validate); // the usage chunk Tollgate makes has every required field

            assertTrue(chunks.size() > 2, form);
            ChatCompletionChunk last = chunks.get(chunks.size() - 1);
            CompletionUsage usage = last.usage().orElseThrow(() -> new AssertionError(form + ": no usage at the end"));
            assertTrue(last.choices().isEmpty(), form);
            assertTrue(usage.completionTokens() > 0);
            assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
            chunks.subList(0, chunks.size() - 1).forEach(c -> assertTrue(c.usage().isEmpty(), form));
            ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
            assertEquals(Optional.of(ChatCompletionChunk.Choice.FinishReason.STOP), finish.choices().get(0).finishReason());

            ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
            chunks.forEach(accumulator::accumulate);
            ChatCompletion whole = accumulator.chatCompletion();
            assertEquals(usage, whole.usage().orElseThrow(), form);
            assertEquals(text(chunks), whole.choices().get(0).message().content().orElseThrow());
            assertFalse(text(chunks).isBlank());
        }
    }

    @Test
    void streamingWithoutIncludeUsageShowsNoUsageAndStillCompletes() {
        List<ChatCompletionChunk> chunks = stream(client(), ask(FLASH, "Count to five.").build());

        assertTrue(chunks.size() > 2);
        chunks.forEach(c -> assertTrue(c.usage().isEmpty(), "the client did not ask for usage"));
        chunks.forEach(c -> assertFalse(c._additionalProperties().containsKey("usage")));
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertEquals(Optional.of(ChatCompletionChunk.Choice.FinishReason.STOP), last.choices().get(0).finishReason());
        assertFalse(text(chunks).isBlank());
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        chunks.forEach(accumulator::accumulate);
        assertTrue(accumulator.chatCompletion().usage().isEmpty());
        // and the same answer as without streaming: the relay lost nothing
        String whole = client().chat().completions().create(ask(FLASH, "Count to five.").build())
                .choices().get(0).message().content().orElseThrow();
        assertEquals(whole, text(chunks));
    }

    @Test
    void toolsGiveAToolCallAndTheConversationCanContinue() {
        FunctionDefinition weather = FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather for a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
        ChatCompletionCreateParams first = ask(FLASH, "What is the weather in Paris? Use get_weather.")
                .addFunctionTool(weather).build();
        ChatCompletion completion = client().chat().completions().create(first);

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        ChatCompletionMessage message = choice.message();
        List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElseThrow();
        assertEquals(1, calls.size());
        ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
        assertTrue(call.id().startsWith("call_00_"));
        assertEquals("get_weather", call.function().name());
        JsonNode arguments = parse(call.function().arguments());
        assertTrue(arguments.path("city").isTextual());
        assertEquals("celsius", arguments.path("unit").asText());

        // DeepSeek's rule in thinking mode: the assistant's reasoning_content goes back with its tool calls
        JsonValue reasoning = message._additionalProperties().get("reasoning_content");
        assertTrue(reasoning != null && !reasoning.asStringOrThrow().isBlank());
        ChatCompletionCreateParams second = first.toBuilder()
                .addMessage(ChatCompletionAssistantMessageParam.builder()
                        .content("")
                        .toolCalls(calls)
                        .putAdditionalProperty("reasoning_content", reasoning)
                        .build())
                .addMessage(ChatCompletionToolMessageParam.builder()
                        .toolCallId(call.id())
                        .content("{\"temperature\":21,\"unit\":\"celsius\"}")
                        .build())
                .build();
        ChatCompletion answer = client().chat().completions().create(second);
        answer.validate();
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, answer.choices().get(0).finishReason());
        assertFalse(answer.choices().get(0).message().content().orElse("").isBlank());

        // without it, the upstream's 400 reaches the SDK as a BadRequestException in DeepSeek's words
        ChatCompletionCreateParams forgetful = first.toBuilder()
                .addMessage(ChatCompletionAssistantMessageParam.builder().content("").toolCalls(calls).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{}").build())
                .build();
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> client().chat().completions().create(forgetful));
        assertTrue(e.getMessage().contains("reasoning_content"), e.getMessage());
    }

    @Test
    void toolCallsStreamAsDeltas() {
        FunctionDefinition lookup = FunctionDefinition.builder().name("lookup")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("query", Map.of("type", "string"))))
                        .build())
                .build();
        List<ChatCompletionChunk> chunks = stream(client(), ask(FLASH, "Please use the tool.")
                .addFunctionTool(lookup).build());
        chunks.forEach(ChatCompletionChunk::validate);

        StringBuilder arguments = new StringBuilder();
        String name = null;
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                for (ChatCompletionChunk.Choice.Delta.ToolCall tc : choice.delta().toolCalls().orElse(List.of())) {
                    if (tc.function().flatMap(f -> f.name()).isPresent()) {
                        name = tc.function().get().name().get();
                    }
                    tc.function().flatMap(f -> f.arguments()).ifPresent(arguments::append);
                }
            }
        }
        assertEquals("lookup", name);
        assertTrue(parse(arguments.toString()).path("query").isTextual());
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertEquals(Optional.of(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS),
                last.choices().get(0).finishReason());
    }

    @Test
    void jsonObjectModeGivesParseableJson() {
        ChatCompletion completion = client().chat().completions().create(
                ask(FLASH, "List three colours. Answer in json.")
                        .responseFormat(ResponseFormatJsonObject.builder().build()).build());
        String content = completion.choices().get(0).message().content().orElseThrow();
        assertTrue(parse(content).isObject(), content);
    }

    @Test
    void thinkingOnByDefaultAndOffOnRequest() {
        // on (the default): reasoning_content comes in the message's additional properties
        ChatCompletion thinking = client().chat().completions().create(ask(PRO, "Why is the sky blue?").build());
        ChatCompletionMessage message = thinking.choices().get(0).message();
        assertFalse(message._additionalProperties().get("reasoning_content").asStringOrThrow().isBlank());
        assertTrue(thinking.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens()
                .orElseThrow() > 0);

        // off: DeepSeek's thinking field through the SDK's additional body properties
        ChatCompletion plain = client().chat().completions().create(ask(PRO, "Why is the sky blue?")
                .putAdditionalBodyProperty("thinking", JsonValue.from(Map.of("type", "disabled"))).build());
        assertFalse(plain.choices().get(0).message()._additionalProperties().containsKey("reasoning_content"));
        assertFalse(plain.choices().get(0).message().content().orElse("").isBlank());
        assertEquals(Map.of("type", "disabled"), JSON.convertValue(sim.lastRequest().path("body").path("thinking"),
                Map.class));

        // streaming: reasoning deltas first, in the delta's additional properties, then the answer
        List<ChatCompletionChunk> chunks = stream(client(), ask(FLASH, "Why is the sky blue?")
                .putAdditionalBodyProperty("thinking", JsonValue.from(Map.of("type", "enabled")))
                .putAdditionalBodyProperty("reasoning_effort", JsonValue.from("high")).build());
        StringBuilder reasoning = new StringBuilder();
        for (ChatCompletionChunk chunk : chunks) {
            for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                JsonValue part = choice.delta()._additionalProperties().get("reasoning_content");
                if (part != null) {
                    part.asString().ifPresent(reasoning::append);
                }
            }
        }
        assertFalse(reasoning.toString().isBlank());
        assertFalse(text(chunks).isBlank());

        List<ChatCompletionChunk> plainChunks = stream(client(), ask(FLASH, "Why is the sky blue?")
                .putAdditionalBodyProperty("thinking", JsonValue.from(Map.of("type", "disabled"))).build());
        plainChunks.forEach(c -> c.choices().forEach(ch -> {
            JsonValue part = ch.delta()._additionalProperties().get("reasoning_content");
            assertTrue(part == null || part.isNull() || ((Optional<?>) part.asString()).map(String::valueOf).orElse("").isEmpty());
        }));
    }

    /**
     * Code still sending the retired names keeps working through the SDK, is told so in headers it can log,
     * and, for a tenant that chose to reject them, gets a 410 that names what to send instead.
     */
    @Test
    void retiredNamesServeWithDeprecationHeadersOrAre410WhereRejected() {
        HttpResponseFor<ChatCompletion> raw = client().chat().completions().withRawResponse()
                .create(ask("deepseek-reasoner", "Why is the sky blue?").build());
        assertEquals(List.of(FLASH), raw.headers().values("X-Tollgate-Model"));
        assertFalse(raw.headers().values("Deprecation").isEmpty());
        assertFalse(raw.headers().values("Sunset").isEmpty());
        assertTrue(raw.headers().values("Link").get(0).contains("migration-deepseek-chat"), raw.headers().values("Link").toString());
        ChatCompletion answer = raw.parse();
        assertEquals("deepseek-reasoner", answer.model(), "the name the client sent comes back");
        assertFalse(answer.choices().get(0).message()._additionalProperties().get("reasoning_content")
                .asStringOrThrow().isBlank(), "deepseek-reasoner still means thinking on");

        String slug = createTenant(uniqueSlug("sdk-retired"));
        String rejectingKey = issueKey(slug);
        asAdmin().body(Map.of("mode", "reject-after-sunset"))
                .put("/api/admin/tenants/" + slug + "/alias-overrides/deepseek-chat").then().statusCode(200);
        long before = sim.stat("chatRequests");
        // the SDK has no exception class of its own for 410; the status and Tollgate's error come through
        UnexpectedStatusCodeException gone = assertThrows(UnexpectedStatusCodeException.class,
                () -> client(rejectingKey).chat().completions().create(ask("deepseek-chat", "Hi").build()));
        assertOpenAiError(gone, 410, "invalid_request_error");
        assertEquals(Optional.of("model_retired"), gone.code());
        assertEquals(Optional.of("model"), gone.param());
        assertTrue(gone.getMessage().contains(FLASH), gone.getMessage());
        assertThrows(UnexpectedStatusCodeException.class,
                () -> stream(client(rejectingKey), ask("deepseek-chat", "Hi").build()));
        assertEquals(before, sim.stat("chatRequests"), "not sent upstream, and not retried by the SDK");
    }

    @Test
    void modelsListAndRetrieveTheCatalog() {
        // catalog models first, then the legacy aliases that still serve (their target decides who may see them)
        List<String> ids = client().models().list().data().stream().map(Model::id).toList();
        assertEquals(List.of(FLASH, PRO, "deepseek-chat", "deepseek-reasoner"), ids);
        client().models().list().data().forEach(m -> assertEquals("deepseek", m.ownedBy()));
        assertEquals(List.of(FLASH, "deepseek-chat", "deepseek-reasoner"),
                client(flashOnlyKey).models().list().data().stream().map(Model::id).toList());
        assertEquals("deepseek-chat", client().models().retrieve("deepseek-chat").id());
        assertThrows(NotFoundException.class, () -> client(flashOnlyKey).models().retrieve(PRO));
    }

    /**
     * The SDK declares a model's `created` required: reading it, or a client that validates every response,
     * fails on a model without one (as DeepSeek's own list is).
     */
    @Test
    void modelsCarryTheFieldsTheSdkRequires() {
        OpenAIClient validating = OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString()).apiKey(key)
                .responseValidation(true).build();
        clients.add(validating);
        Map<String, Long> created = validating.models().list().data().stream()
                .collect(Collectors.toMap(Model::id, Model::created));
        assertEquals(V4_LAUNCH, created.get(FLASH));
        assertEquals(V4_LAUNCH, created.get(PRO));
        assertEquals(created.get(FLASH), created.get("deepseek-chat"), "an alias shows the model it serves");
        assertEquals(V4_LAUNCH, validating.models().retrieve("deepseek-reasoner").created());
    }

    /** Code written for DeepSeek uses its base URL without /v1: pointing it at Tollgate changes only the host. */
    @Test
    void deepSeeksBaseUrlFormWithoutV1WorksToo() {
        OpenAIClient deepSeekStyle = clientWithoutV1(key);
        assertEquals(FLASH, deepSeekStyle.chat().completions().create(ask(FLASH, "Hi").build()).model());
        assertFalse(text(stream(deepSeekStyle, ask(FLASH, "Count to three.").build())).isBlank());
        assertEquals(List.of(FLASH, PRO, "deepseek-chat", "deepseek-reasoner"),
                deepSeekStyle.models().list().data().stream().map(Model::id).toList());
        assertEquals(PRO, deepSeekStyle.models().retrieve(PRO).id());
        // its errors are the gateway's too: OpenAI JSON the SDK turns into its exceptions
        assertOpenAiError(assertThrows(UnauthorizedException.class,
                () -> clientWithoutV1("tg-nope-nope").chat().completions().create(ask(FLASH, "Hi").build())),
                401, "authentication_error");
        assertThrows(NotFoundException.class, () -> clientWithoutV1(flashOnlyKey).models().retrieve(PRO));
    }

    private OpenAIClient clientWithoutV1(String apiKey) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(baseUrl.toString().replaceAll("/v1/?$", ""))
                .apiKey(apiKey).build();
        clients.add(client);
        return client;
    }

    // ------------------------------------------------------------------ errors as the SDK's exceptions

    @Test
    void badKeyIsUnauthorized() {
        UnauthorizedException e = assertThrows(UnauthorizedException.class,
                () -> client("sk-not-a-tollgate-key").chat().completions().create(ask(FLASH, "Hi").build()));
        assertOpenAiError(e, 401, "authentication_error");
        assertThrows(UnauthorizedException.class, () -> client("sk-not-a-tollgate-key").models().list());
        assertThrows(UnauthorizedException.class,
                () -> stream(client("sk-not-a-tollgate-key"), ask(FLASH, "Hi").build()));
    }

    @Test
    void modelNotAllowedForTheKeyIsPermissionDenied() {
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                () -> client(flashOnlyKey).chat().completions().create(ask(PRO, "Hi").build()));
        assertOpenAiError(e, 403, "permission_error");
        assertEquals(Optional.of("model"), e.param());
        assertThrows(PermissionDeniedException.class, () -> stream(client(flashOnlyKey), ask(PRO, "Hi").build()));
        assertEquals(0, sim.stat("chatRequests"));
    }

    @Test
    void unknownModelIsNotFound() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client().chat().completions().create(ask("gpt-4o", "Hi").build()));
        assertOpenAiError(e, 404, "invalid_request_error");
        assertEquals(Optional.of("model_not_found"), e.code());
        assertTrue(e.getMessage().contains("gpt-4o"));
    }

    @Test
    void invalidFieldsAreBadRequests() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> client().chat().completions()
                .create(ask(FLASH, "Hi").putAdditionalBodyProperty("thinking", JsonValue.from(true)).build()));
        assertOpenAiError(e, 400, "invalid_request_error");
        assertTrue(e.getMessage().contains("thinking"), e.getMessage());
        assertEquals(1, sim.stat("chatRequests"), "a 400 is not retried, by Tollgate or by the SDK");

        // an out-of-range value is DeepSeek's 422, which the SDK knows too
        UnprocessableEntityException range = assertThrows(UnprocessableEntityException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi").temperature(5.0).build()));
        assertTrue(range.getMessage().contains("temperature"), range.getMessage());
    }

    @Test
    void upstreamRateLimitIsARateLimitOnceRetriesAreSpent() {
        int attempts = config.gateway().maxAttempts();
        String[] faults = new String[attempts];
        java.util.Arrays.fill(faults, "429");
        sim.queueFaults(faults);

        RateLimitException e = assertThrows(RateLimitException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi").build()));
        assertOpenAiError(e, 429, "rate_limit_error");
        // retries at one layer: the SDK's own two would each be another round of Tollgate's attempts
        assertEquals(attempts, sim.stat("chatRequests"), "Tollgate retried, and the SDK did not on top");
        assertEquals(List.of("false"), e.headers().values("X-Should-Retry"));
        assertTrue(sim.faults().path("next").isEmpty(), "every queued fault was used: " + sim.faults());

        // one 429 fewer than that, and Tollgate's last attempt gets through
        sim.reset();
        java.util.Arrays.fill(faults, "429");
        sim.queueFaults(java.util.Arrays.copyOf(faults, attempts - 1));
        assertEquals(ChatCompletion.Choice.FinishReason.STOP,
                client().chat().completions().create(ask(FLASH, "Hi").build()).choices().get(0).finishReason());
    }

    @Test
    void upstreamFailuresAreServerErrors() {
        // the upstream fails with 500: a 502 from Tollgate
        InternalServerException bad = assertThrows(InternalServerException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi [[sim:fault=500]]").build()));
        assertOpenAiError(bad, 502, "api_error");

        // overloaded (503) on every try: a 503 once Tollgate has retried, which the SDK does not retry again
        sim.reset();
        InternalServerException overloaded = assertThrows(InternalServerException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi [[sim:fault=503]]").build()));
        assertOpenAiError(overloaded, 503, "api_error");
        assertEquals(config.gateway().maxAttempts(), sim.stat("chatRequests"));

        // the upstream refuses the gateway's own credentials: 502, and nothing about keys
        sim.reset();
        InternalServerException auth = assertThrows(InternalServerException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi [[sim:fault=401]]").build()));
        assertOpenAiError(auth, 502, "api_error");
        assertEquals(Optional.of("upstream_auth_failed"), auth.code());

        // the upstream account ran dry: DeepSeek's 402, which neither Tollgate nor any client library retries
        sim.reset();
        OpenAIServiceException broke = assertThrows(OpenAIServiceException.class,
                () -> client().chat().completions().create(ask(FLASH, "Hi [[sim:fault=402]]").build()));
        assertOpenAiError(broke, 402, "api_error");
        assertEquals(Optional.of("upstream_balance_exhausted"), broke.code());
        assertEquals(1, sim.stat("chatRequests"));

        // streaming: a failure before the first byte is still a plain error status
        sim.reset();
        InternalServerException streamed = assertThrows(InternalServerException.class,
                () -> stream(client(), ask(FLASH, "Hi [[sim:fault=500]]").build()));
        assertEquals(502, streamed.statusCode());
    }

    @Test
    void anUpstreamBreakingMidStreamSurfacesAsAnError() {
        SseException e = assertThrows(SseException.class,
                () -> stream(client(), ask(FLASH, "Tell me a story [[sim:fault=disconnect-mid-stream]]").build()));
        assertEquals(Optional.of("upstream_disconnect"), e.code());
        assertEquals(1, sim.stat("chatRequests"), "never a retry once the answer has started");
    }

    @Test
    void bodyOverTheLimitIs413InOpenAiFormat() throws Exception {
        int limit = config.gateway().maxBodyBytes();
        String tooBig = "{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(limit) + "\"}]}";

        // a client that sends the whole body first, then reads
        assert413(given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(tooBig)
                .post("/v1/chat/completions").then().statusCode(413).extract().asString());

        // a client that reads the answer while it is still sending: refused on the declared length alone
        try (Socket socket = new Socket(baseUrl.getHost(), baseUrl.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (limit + 1L) + "\r\n\r\n"
                    + "{\"model\":\"deepseek-v4-flash\",").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith("HTTP/1.1 413"));
            long length = 0;
            String line;
            while (!(line = in.readLine()).isEmpty()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).trim());
                }
            }
            char[] body = new char[(int) length];
            assertEquals(length, in.read(body, 0, body.length));
            assert413(new String(body));
        }

        // a chunked body, length unknown up front
        HttpResponse<String> chunked = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(tooBig.getBytes(StandardCharsets.UTF_8))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode());
        assert413(chunked.body());

        // the SDK: no exception class of its own for 413, but the status and Tollgate's error come through
        UnexpectedStatusCodeException e = assertThrows(UnexpectedStatusCodeException.class,
                () -> client().chat().completions().create(ask(FLASH, "x".repeat(limit)).build()));
        assertEquals(413, e.statusCode());
        assertEquals(Optional.of("request_too_large"), e.code());

        assertEquals(0, sim.stat("chatRequests"));
    }

    private void assert413(String body) {
        JsonNode error = parse(body).path("error");
        assertEquals("invalid_request_error", error.path("type").asText(), body);
        assertEquals("request_too_large", error.path("code").asText());
        assertTrue(error.path("message").asText().contains(String.valueOf(config.gateway().maxBodyBytes())));
    }

    // ------------------------------------------------------------------ helpers

    private static List<ChatCompletionChunk> stream(OpenAIClient client, ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
            return response.stream().toList();
        }
    }

    private static String text(List<ChatCompletionChunk> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
        return text.toString();
    }

    private static void assertOpenAiError(OpenAIServiceException e, int status, String type) {
        assertEquals(status, e.statusCode());
        assertEquals(Optional.of(type), e.type(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }

    private static long number(Map<String, JsonValue> properties, String name) {
        JsonValue value = properties.get(name);
        assertTrue(value != null, name + " is missing");
        return ((Number) ((Optional<?>) value.asNumber()).orElseThrow()).longValue();
    }

    private static JsonNode parse(String json) {
        return SimulatorControl.read(json);
    }
}
