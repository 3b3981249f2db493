package dev.tollgate.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.catalog.AliasResolver.AliasRow;
import dev.tollgate.catalog.AliasResolver.Snapshot;
import dev.tollgate.catalog.ModelResolution.Outcome;
import dev.tollgate.gateway.OpenAiError;
import dev.tollgate.gateway.OpenAiException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Resolution rules on an in-memory snapshot, at chosen instants: no database, no clock, no sleeping. */
class AliasResolutionTest {

    static final Set<String> CATALOG = Set.of("deepseek-v4-flash", "deepseek-v4-pro");
    static final Instant DEPRECATED = Instant.parse("2026-04-24T00:00:00Z");
    static final Instant SUNSET = Instant.parse("2026-07-24T15:59:00Z");
    static final Instant BEFORE = SUNSET.minusSeconds(1);
    static final long TENANT = 7;
    static final long OTHER_TENANT = 8;
    static final String GUIDE = "/docs/migration-deepseek-chat.md";

    static AliasRow chat(AliasMode mode) {
        return new AliasRow("deepseek-chat", "deepseek-v4-flash", "{\"thinking\": {\"type\": \"disabled\"}}",
                DEPRECATED, SUNSET, mode, "deepseek-v4-flash", null);
    }

    static Snapshot snapshot(AliasMode mode, Map<Long, Map<String, AliasMode>> overrides) {
        AliasRow reasoner = new AliasRow("deepseek-reasoner", "deepseek-v4-flash",
                "{\"thinking\": {\"type\": \"enabled\"}}", DEPRECATED, SUNSET, mode, "deepseek-v4-flash", null);
        return Snapshot.of(List.of(chat(mode), reasoner), overrides, GUIDE);
    }

    static ModelResolution resolve(AliasMode mode, String model, Instant at) {
        return snapshot(mode, Map.of()).resolve(CATALOG, TENANT, model, at);
    }

    @Test
    void aCatalogModelIsServedAsItIsWithoutHeaders() {
        ModelResolution r = resolve(AliasMode.REJECT_AFTER_SUNSET, "deepseek-v4-pro", SUNSET);
        assertEquals(Outcome.SERVED, r.outcome());
        assertEquals("deepseek-v4-pro", r.model());
        assertFalse(r.aliased());
        assertNull(r.mode());
        assertTrue(r.headers().isEmpty());
        assertTrue(r.impliedParams().isEmpty());
        assertNull(r.error());
        assertSame(r, r.orThrow());
    }

    @Test
    void anUnknownNameIsA404TheGatewayCanTellApart() {
        for (String name : new String[] {"gpt-4o", "DeepSeek-Chat", "", null}) {
            ModelResolution r = resolve(AliasMode.REWRITE, name, BEFORE);
            assertEquals(Outcome.UNKNOWN, r.outcome());
            assertFalse(r.served());
            assertNull(r.model());
            assertTrue(r.headers().isEmpty());
            assertEquals(404, r.error().status());
            assertEquals("model_not_found", r.error().body().error().code());
            assertEquals("model", r.error().body().error().param());
            OpenAiException thrown = assertThrows(OpenAiException.class, r::orThrow);
            assertSame(r.error(), thrown);
        }
    }

    @Test
    void rewriteServesTheTargetWithLifecycleHeadersOnlyBeforeAndAfterTheSunset() {
        for (Instant at : new Instant[] {DEPRECATED.minusSeconds(86_400), BEFORE, SUNSET, SUNSET.plusSeconds(10_000_000)}) {
            ModelResolution r = resolve(AliasMode.REWRITE, "deepseek-chat", at);
            assertEquals(Outcome.SERVED, r.outcome(), "at " + at);
            assertEquals("deepseek-v4-flash", r.model());
            assertEquals("deepseek-chat", r.alias());
            assertEquals("deepseek-chat", r.requestedModel());
            assertEquals(AliasMode.REWRITE, r.mode());
            assertFalse(r.warn());
            assertEquals(List.of("Deprecation", "Sunset", "Link"), List.copyOf(r.headers().keySet()));
        }
    }

    @Test
    void headersAreFormattedAsTheirRfcsAsk() {
        Map<String, String> h = resolve(AliasMode.REWRITE, "deepseek-chat", BEFORE).headers();
        // RFC 9745: a structured-field date, "@" and the epoch seconds of 2026-04-24T00:00:00Z.
        assertEquals("@1776988800", h.get("Deprecation"));
        // RFC 8594: an HTTP-date (IMF-fixdate).
        assertEquals("Fri, 24 Jul 2026 15:59:00 GMT", h.get("Sunset"));
        assertEquals("</docs/migration-deepseek-chat.md>; rel=\"deprecation\", "
                + "</docs/migration-deepseek-chat.md>; rel=\"sunset\"", h.get("Link"));
    }

    @Test
    void httpDatesHaveTwoDigitDaysAndWholeSeconds() {
        assertEquals("Sun, 02 Aug 2026 03:04:05 GMT", AliasHeaders.sunset(Instant.parse("2026-08-02T03:04:05.999Z")));
        assertEquals("@0", AliasHeaders.deprecation(Instant.EPOCH));
        assertEquals("@1785599999", AliasHeaders.deprecation(Instant.parse("2026-08-01T15:59:59.900Z")));
    }

    @Test
    void rewriteAndWarnAddsAWarningThatSaysWhatToSendInstead() {
        for (Instant at : new Instant[] {BEFORE, SUNSET, SUNSET.plusSeconds(86_400 * 365)}) {
            ModelResolution r = resolve(AliasMode.REWRITE_AND_WARN, "deepseek-chat", at);
            assertEquals(Outcome.SERVED, r.outcome());
            assertTrue(r.warn());
            assertEquals(List.of("Deprecation", "Sunset", "Link", "X-Tollgate-Warning"),
                    List.copyOf(r.headers().keySet()));
            assertEquals("model \"deepseek-chat\" is deprecated (sunset 2026-07-24T15:59:00Z) and stands for "
                    + "{\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"disabled\"}} (fields the request sets "
                    + "win); send that instead, "
                    + "see /docs/migration-deepseek-chat.md", r.headers().get("X-Tollgate-Warning"));
        }
    }

    @Test
    void rejectAfterSunsetWarnsBeforeTheSunsetAndAnswers410FromItOn() {
        ModelResolution before = resolve(AliasMode.REJECT_AFTER_SUNSET, "deepseek-chat", BEFORE);
        assertEquals(Outcome.SERVED, before.outcome());
        assertEquals("deepseek-v4-flash", before.model());
        assertTrue(before.warn());
        assertTrue(before.headers().get("X-Tollgate-Warning").contains("will be rejected from 2026-07-24T15:59:00Z"));

        for (Instant at : new Instant[] {SUNSET, SUNSET.plusSeconds(86_400 * 120)}) {
            ModelResolution r = resolve(AliasMode.REJECT_AFTER_SUNSET, "deepseek-chat", at);
            assertEquals(Outcome.RETIRED, r.outcome(), "at " + at);
            assertFalse(r.served());
            assertNull(r.model());
            assertEquals("deepseek-chat", r.alias());
            // The 410 carries the lifecycle headers too, without a warning.
            assertEquals(List.of("Deprecation", "Sunset", "Link"), List.copyOf(r.headers().keySet()));
            OpenAiException e = assertThrows(OpenAiException.class, r::orThrow);
            assertEquals(410, e.status());
            OpenAiError.Detail body = e.body().error();
            assertEquals("invalid_request_error", body.type());
            assertEquals("model_retired", body.code());
            assertEquals("model", body.param());
            assertEquals("The model \"deepseek-chat\" was retired at 2026-07-24T15:59:00Z. Send "
                    + "{\"model\":\"deepseek-v4-flash\",\"thinking\":{\"type\":\"disabled\"}} instead; "
                    + "see /docs/migration-deepseek-chat.md", body.message());
        }
    }

    @Test
    void theRejectionNamesAReplacementThatDiffersFromTheTarget() {
        AliasRow row = new AliasRow("old-pro", "deepseek-v4-flash", "{}", DEPRECATED, SUNSET,
                AliasMode.REJECT_AFTER_SUNSET, "deepseek-v4-pro", "https://docs.example.com/old-pro");
        ModelResolution r = Snapshot.of(List.of(row), Map.of(), GUIDE).resolve(CATALOG, TENANT, "old-pro", SUNSET);
        assertEquals("The model \"old-pro\" was retired at 2026-07-24T15:59:00Z. Send {\"model\":\"deepseek-v4-pro\"} "
                + "instead; see https://docs.example.com/old-pro", r.error().getMessage());
        assertEquals("<https://docs.example.com/old-pro>; rel=\"deprecation\", "
                + "<https://docs.example.com/old-pro>; rel=\"sunset\"", r.headers().get("Link"));
    }

    @Test
    void theTenantsOverrideWinsForThatTenantOnly() {
        Snapshot s = snapshot(AliasMode.REWRITE, Map.of(TENANT, Map.of("deepseek-chat", AliasMode.REJECT_AFTER_SUNSET)));
        assertEquals(Outcome.RETIRED, s.resolve(CATALOG, TENANT, "deepseek-chat", SUNSET).outcome());
        assertEquals(AliasMode.REJECT_AFTER_SUNSET, s.resolve(CATALOG, TENANT, "deepseek-chat", SUNSET).mode());
        // Another alias of the same tenant, and the same alias for another tenant, keep the alias' mode.
        assertEquals(Outcome.SERVED, s.resolve(CATALOG, TENANT, "deepseek-reasoner", SUNSET).outcome());
        ModelResolution other = s.resolve(CATALOG, OTHER_TENANT, "deepseek-chat", SUNSET);
        assertEquals(Outcome.SERVED, other.outcome());
        assertEquals(AliasMode.REWRITE, other.mode());

        // And the other way round: a tenant keeps a rejected alias working for itself.
        Snapshot strict = snapshot(AliasMode.REJECT_AFTER_SUNSET, Map.of(TENANT, Map.of("deepseek-chat", AliasMode.REWRITE)));
        ModelResolution kept = strict.resolve(CATALOG, TENANT, "deepseek-chat", SUNSET);
        assertEquals(Outcome.SERVED, kept.outcome());
        assertFalse(kept.warn());
        assertEquals(Outcome.RETIRED, strict.resolve(CATALOG, OTHER_TENANT, "deepseek-chat", SUNSET).outcome());
    }

    @Test
    void anAliasIsAllowedExactlyWhenItsTargetIs() {
        ModelResolution chat = resolve(AliasMode.REWRITE, "deepseek-chat", SUNSET);
        assertTrue(chat.allowedBy(key(null)));
        assertTrue(chat.allowedBy(key(List.of("deepseek-v4-flash"))));
        assertFalse(chat.allowedBy(key(List.of("deepseek-v4-pro"))));
        assertFalse(resolve(AliasMode.REWRITE, "nope", SUNSET).allowedBy(key(null)));
    }

    @Test
    void listsOnlyTheAliasesThatStillServeForTheTenant() {
        Snapshot s = snapshot(AliasMode.REJECT_AFTER_SUNSET, Map.of(TENANT, Map.of("deepseek-reasoner", AliasMode.REWRITE_AND_WARN)));
        assertEquals(List.of("deepseek-chat", "deepseek-reasoner"), aliases(s.serving(CATALOG, TENANT, BEFORE)));
        assertEquals(List.of("deepseek-reasoner"), aliases(s.serving(CATALOG, TENANT, SUNSET)));
        assertEquals(List.of(), aliases(s.serving(CATALOG, OTHER_TENANT, SUNSET)));
    }

    @Test
    void anAliasWhoseTargetLeftTheCatalogIsUnknown() {
        Snapshot s = snapshot(AliasMode.REWRITE, Map.of());
        ModelResolution gone = s.resolve(Set.of("deepseek-v4-pro"), TENANT, "deepseek-chat", BEFORE);
        assertEquals(Outcome.UNKNOWN, gone.outcome());
        assertEquals(404, gone.error().status());
        assertEquals("deepseek-chat", gone.alias(), "still a call naming the alias, for the ledger to count");
        assertEquals(List.of(), s.serving(Set.of("deepseek-v4-pro"), TENANT, BEFORE));
        // Retired, it still says so and names the replacement, whatever became of its old target.
        ModelResolution retired = snapshot(AliasMode.REJECT_AFTER_SUNSET, Map.of())
                .resolve(Set.of("deepseek-v4-pro"), TENANT, "deepseek-chat", SUNSET);
        assertEquals(Outcome.RETIRED, retired.outcome());
        assertEquals(410, retired.error().status());
    }

    @Test
    void aCatalogModelWinsOverAnAliasOfTheSameName() {
        AliasRow shadowed = new AliasRow("deepseek-v4-pro", "deepseek-v4-flash", "{}", DEPRECATED, SUNSET,
                AliasMode.REJECT_AFTER_SUNSET, "deepseek-v4-flash", null);
        Snapshot snapshot = Snapshot.of(List.of(shadowed), Map.of(), GUIDE);
        ModelResolution r = snapshot.resolve(CATALOG, TENANT, "deepseek-v4-pro", SUNSET);
        assertEquals("deepseek-v4-pro", r.model());
        assertFalse(r.aliased());
        // and GET /v1/models lists the model once, not a second time as an alias without a name
        assertEquals(List.of(), snapshot.serving(CATALOG, TENANT, SUNSET));
    }

    @Test
    void headerValuesStayVisibleAscii() {
        AliasRow row = new AliasRow("odd", "deepseek-v4-flash", "{\"user_id\":\"zoë\\nx\"}", DEPRECATED, SUNSET,
                AliasMode.REWRITE_AND_WARN, "deepseek-v4-flash", null);
        String warning = Snapshot.of(List.of(row), Map.of(), GUIDE).resolve(CATALOG, TENANT, "odd", BEFORE)
                .headers().get("X-Tollgate-Warning");
        assertTrue(warning.chars().allMatch(c -> c >= 0x20 && c < 0x7f), warning);
    }

    private static List<String> aliases(List<ModelResolution> resolutions) {
        return resolutions.stream().map(ModelResolution::alias).toList();
    }

    private static AuthenticatedKey key(List<String> allowedModels) {
        return new AuthenticatedKey(1, "pub", TENANT, "t", allowedModels);
    }
}
