package dev.tollgate.console;

import static dev.tollgate.testing.TestData.ADMIN;
import static dev.tollgate.testing.TestData.ADMIN_PASSWORD;
import static dev.tollgate.testing.TestData.asAdmin;
import static dev.tollgate.testing.TestData.createUser;
import static dev.tollgate.testing.TestData.uniqueSlug;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesRegex;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.pricing.PricingFixtures;
import dev.tollgate.testing.Browser;
import dev.tollgate.testing.ConsoleSession;
import dev.tollgate.testing.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** Finance answers "what did 1M cache-hit tokens on Pro cost at instant T?" in the console. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class PriceConsoleTest {

    @TestHTTPResource("/")
    URL base;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void theQuoteUsesThePriceInForceAtThatInstant() {
        ConsoleSession finance = financeSession();
        // Pro cache hit during the launch promotion, before and after the 2026-04-26 12:15 UTC cut
        finance.get("/console/prices?model=deepseek-v4-pro&at=2026-04-25T12:00&cacheHitTokens=1000000")
                .then().statusCode(200).body(containsString("id=\"quote-total\">0.03625<"));
        finance.get("/console/prices?model=deepseek-v4-pro&at=2026-04-27T12:00&cacheHitTokens=1000000")
                .then().statusCode(200).body(containsString("id=\"quote-total\">0.003625<"))
                .body(containsString("<td class=\"money\">1,000,000</td>"))
                // rates aligned on the point: 0.03625 above 0.003625, ten times less, does not end flush with it
                .body(containsString(">0.03625<span class=\"pad\" aria-hidden=\"true\">0</span></td>"))
                // the seeded book prices every served model's every token class from now on: nothing is flagged
                .body(not(containsString("id=\"price-gaps\"")));
        // a count typed with thousands separators is the count people mean
        finance.request().queryParam("model", "deepseek-v4-pro").queryParam("at", "2026-04-27T12:00")
                .queryParam("cacheHitTokens", "1,000,000").queryParam("outputTokens", "2 000").get("/console/prices")
                .then().statusCode(200).body(containsString("id=\"quote-total\">0.005365<"));
        finance.get("/console/prices?model=deepseek-v4-pro&at=yesterday&cacheHitTokens=-1")
                .then().statusCode(400).body(containsString("id=\"e-at\"")).body(containsString("must not be negative"));
        // a well-formed instant before the first price is refused for what it is, not for its format
        finance.get("/console/prices?model=deepseek-v4-pro&at=2020-01-01T00:00&cacheHitTokens=1000000")
                .then().statusCode(400)
                .body(containsString("id=\"e-at\">no cache-hit input price for deepseek-v4-pro is in force at"));
    }

    @Test
    void anInstantWithAnOffsetWestOfUtcIsQuotedLikeOneEastOfIt() {
        ConsoleSession finance = financeSession();
        // the promotion ended 2026-05-31 15:59 UTC: 23:59 in Beijing, 11:59 in New York
        for (var at : Map.of("2026-05-31T23:58:59+08:00", "0.003625", "2026-05-31T11:58:59-04:00", "0.003625",
                "2026-05-31T11:59-04:00", "0.0145").entrySet()) {
            finance.request().queryParam("model", "deepseek-v4-pro").queryParam("at", at.getKey())
                    .queryParam("cacheHitTokens", 1_000_000).get("/console/prices")
                    .then().statusCode(200).body(containsString("id=\"quote-total\">" + at.getValue() + "<"));
        }
        // an east-of-UTC offset typed into the address bar unencoded, its + read as a space
        finance.request().urlEncodingEnabled(false)
                .get("/console/prices?model=deepseek-v4-pro&cacheHitTokens=1000000&at=2026-05-31T23:58:59+08:00")
                .then().statusCode(200).body(containsString("id=\"quote-total\">0.003625<"));
    }

    @Test
    void theQuoteWithoutCountsQuotesTheCountsTheFormShows() {
        // the form's default is a million cache-hit tokens: the quote must be for that, not for nothing
        financeSession().get("/console/prices?model=deepseek-v4-pro&at=2026-04-27T12:00")
                .then().statusCode(200).body(containsString("id=\"quote-total\">0.003625<"));
    }

    @Test
    void aBadDateABadPriceAndAMissingNoteAreShownAtOnceAndExponentsAreRefused() {
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String id = admin.get("/console/prices").asString()
                .replaceAll("(?s).*href=\"/console/prices/(\\d+)/supersede\".*", "$1");
        admin.post("/console/prices/" + id + "/supersede", Map.of("from", "soon", "usdPerMillionTokens", "1e3",
                "note", " ")).then().statusCode(400)
                .body(containsString("id=\"e-from\"")).body(containsString("id=\"e-usdPerMillionTokens\""))
                .body(containsString("id=\"e-note\""))
                .body(containsString("value=\"1e3\""));
    }

    /** A date past PostgreSQL's range or a NUL character is an inline error, not the console's error page. */
    @Test
    void aDateTheDatabaseCannotHoldAndANulCharacterAreShownOnTheirFields() {
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        String before = admin.get("/console/prices").asString();
        String id = before.replaceAll("(?s).*href=\"/console/prices/(\\d+)/supersede\".*", "$1");
        admin.post("/console/prices/" + id + "/supersede", Map.of("from", "+300000-01-01T00:00",
                "usdPerMillionTokens", "0.1", "note", "typed\u0000note")).then().statusCode(400)
                .contentType("text/html")
                .body(containsString("id=\"e-from\">must be a date between 4713 BC and 294276 AD"))
                .body(containsString("id=\"e-note\">must not contain NUL characters"))
                .body(containsString("value=\"0.1\""));
        // the quote reads the book in memory: any instant Java can hold is quoted, or refused on its field
        admin.request().queryParam("model", "deepseek-v4-pro").queryParam("at", "+300000-01-01T00:00")
                .get("/console/prices").then().statusCode(200).body(containsString("id=\"quote-total\""));
        admin.request().queryParam("model", "deepseek\u0000").queryParam("at", "2026-05-01T00:00")
                .get("/console/prices").then().statusCode(400).body(containsString("id=\"e-model\""));
    }

    /** A bar's colour says whether its entry has ended; its title and its name for screen readers say so too. */
    @Test
    void eachTimelineBarSaysWhatItIsInWords() {
        ConsoleSession.login(ADMIN, ADMIN_PASSWORD).get("/console/prices").then().statusCode(200)
                .body(matchesRegex("(?s).*aria-label=\"deepseek-v4-flash, cache-hit input: #\\d+ \\(ended\\): "
                        + "\\$0\\.028 / 1M tokens from 2026-04-24 00:00 UTC until 2026-04-26 12:15 UTC\".*"));
    }

    @Test
    void aPriceChangeIsScheduledFromAFutureInstantAndThePastIsRefused() {
        ConsoleSession admin = ConsoleSession.login(ADMIN, ADMIN_PASSWORD);
        // Pro's output price in force now (other tests' entries may be on the page too, scheduled ones included)
        String id = String.valueOf(asAdmin().queryParam("model", "deepseek-v4-pro").get("/api/admin/prices").then()
                .extract().<Integer>path("find { it.tokenClass == 'output' && it.state == 'in_force'"
                        + " && it.windowStart == null }.id"));
        admin.get("/console/prices").then().body(containsString("href=\"/console/prices/" + id + "/supersede\""));
        String past = "2026-01-01T00:00";
        admin.post("/console/prices/" + id + "/supersede", Map.of("from", past, "usdPerMillionTokens", "0.1",
                "note", "test")).then().statusCode(409)
                // refused as past, though it is also before the entry's start: the console cannot replace entries
                .body(containsString("id=\"e-from\">must be at least 5 minutes in the future (now "))
                // instants read as the console writes them elsewhere, not in the API's ISO form
                .body(matchesRegex("(?s).*\\(now \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(:\\d{2})? UTC\\).*"));
        String future = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC)
                .format(Instant.now().plusSeconds(30 * 86_400));
        String until = asAdmin().get("/api/admin/prices/" + id).then().extract().path("validUntil");
        String note = "console test " + UUID.randomUUID();
        admin.post("/console/prices/" + id + "/supersede", Map.of("from", future, "usdPerMillionTokens", "0.1",
                "note", note)).then().statusCode(303);
        String scheduled = String.valueOf(asAdmin().queryParam("model", "deepseek-v4-pro").get("/api/admin/prices")
                .then().extract().<Integer>path("find { it.note == '" + note + "' && it.state == 'scheduled' }.id"));
        admin.get("/console/prices").then()
                .body(containsString("action=\"/console/prices/" + scheduled + "/delete\""));

        // a mistake caught before it applies is deleted, and the entry it superseded takes its span back
        admin.post("/console/prices/" + id + "/delete", Map.of()).then().statusCode(409)
                .body(containsString("role=\"alert\">Entry #" + id + " was not deleted: entry " + id
                        + " has been in force since"));
        admin.postWithoutToken("/console/prices/" + scheduled + "/delete", Map.of()).then().statusCode(400);
        admin.post("/console/prices/" + scheduled + "/delete", Map.of()).then().statusCode(303)
                .cookie("tollgate-flash", containsString("price+%23" + scheduled + "+for+"));
        asAdmin().get("/api/admin/prices/" + scheduled).then().statusCode(404);
        asAdmin().get("/api/admin/prices/" + id).then().statusCode(200).body("validUntil", equalTo(until));
    }

    /** An off-peak window, or a new model's first price, is made in the console too, not only through the API. */
    @Test
    void aPriceOfItsOwnIsScheduledInTheConsoleWindowIncluded() {
        String model = PricingFixtures.createModel(dataSource, "console");
        String user = "finance-" + uniqueSlug("new");
        createUser(user, "finance-password", "finance", null);
        ConsoleSession finance = ConsoleSession.login(user, "finance-password");
        finance.get("/console/prices").then().body(containsString("href=\"/console/prices/new\""));
        finance.get("/console/prices/new").then().statusCode(200).body(containsString("name=\"csrf-token\""))
                .body(containsString("<option value=\"" + model + "\">")); // priced before it is served
        String from = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC)
                .format(PricingFixtures.midnightInDays(10));
        Map<String, String> form = new HashMap<>(Map.of("model", "", "tokenClass", "reasoning",
                "usdPerMillionTokens", "half a dollar", "validFrom", from, "validUntil", "", "windowStart", "16:30",
                "windowEnd", "", "note", ""));
        // every field that cannot be read is marked at once, and what was typed stays
        finance.post("/console/prices/new", form).then().statusCode(400)
                .body(containsString("id=\"e-tokenClass\"")).body(containsString("id=\"e-usdPerMillionTokens\""))
                .body(containsString("id=\"e-note\"")).body(containsString("id=\"e-model\">choose a model"))
                .body(containsString("value=\"half a dollar\""))
                // the lists name their errors to screen readers, as the typed fields do
                .body(containsString("name=\"model\" aria-invalid=\"true\" aria-describedby=\"e-model\""))
                .body(containsString("name=\"tokenClass\" aria-invalid=\"true\" aria-describedby=\"e-tokenClass\""));
        form.putAll(Map.of("model", model, "tokenClass", "output", "usdPerMillionTokens", "0.5", "note", "off-peak, console test"));
        finance.post("/console/prices/new", form).then().statusCode(400)
                .body(containsString("id=\"e-windowEnd\">give both ends of the window, or neither"));
        form.put("validFrom", "2026-01-01T00:00");
        form.put("windowEnd", "00:30");
        finance.post("/console/prices/new", form).then().statusCode(409)
                .body(containsString("id=\"e-validFrom\">must be at least 5 minutes in the future"));

        form.put("validFrom", from);
        finance.post("/console/prices/new", form).then().statusCode(303)
                .cookie("tollgate-flash", flash("for " + model + ", daily 16:30–00:30 UTC, scheduled from"));
        asAdmin().queryParam("model", model).get("/api/admin/prices").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].usdPerMillionTokens", equalTo("0.5"))
                .body("[0].windowStart", startsWith("16:30")).body("[0].windowEnd", startsWith("00:30"))
                .body("[0].validFrom", equalTo(PricingFixtures.midnightInDays(10).toString()))
                .body("[0].createdBy", equalTo(user));
        // changing it before it starts says what it is: scheduled, in its window, not "today's" price
        int id = asAdmin().queryParam("model", model).get("/api/admin/prices").then().extract().path("[0].id");
        finance.get("/console/prices/" + id + "/supersede").then().statusCode(200)
                .body(containsString("Scheduled: <strong>$0.5</strong>"))
                .body(containsString("daily 16:30–00:30 UTC"));
    }

    /**
     * A model withdrawn, or an off-peak window discontinued: the price ends, after a question that says what prices
     * the calls after it, or that nothing does.
     */
    @Test
    void aPriceIsEndedInTheConsoleAfterItSaysWhatPricesTheCallsThen() {
        String model = PricingFixtures.createModel(dataSource, "close");
        Instant from = PricingFixtures.midnightInDays(10);
        int allDay = createEntry(model, from, null, null);
        int offPeak = createEntry(model, from, "16:30", "00:30");
        for (String input : List.of("input_cache_hit", "input_cache_miss")) { // priced: only output is in question
            asAdmin().body(Map.of("model", model, "tokenClass", input, "usdPerMillionTokens", "0.1", "validFrom",
                    from.toString(), "note", "close test")).post("/api/admin/prices").then().statusCode(201);
        }
        ConsoleSession finance = financeSession();
        finance.get("/console/prices").then().body(containsString("href=\"/console/prices/" + offPeak + "/close\""));
        Instant endsAt = from.plusSeconds(20 * 86_400);
        String end = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm").withZone(ZoneOffset.UTC).format(endsAt);
        String endText = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(endsAt);
        finance.get("/console/prices/" + offPeak + "/close").then().statusCode(200)
                .body(containsString("16:30–00:30 UTC")).body(containsString("name=\"csrf-token\""))
                .body(containsString("gives those hours back")).body(containsString("At least 5 minutes ahead"));

        finance.post("/console/prices/" + offPeak + "/close", Map.of("at", "next week")).then().statusCode(400)
                .body(containsString("id=\"e-at\">must be a date and time like"))
                .body(containsString("value=\"next week\""));
        finance.post("/console/prices/" + offPeak + "/close", Map.of("at", "2026-01-01T00:00")).then()
                .statusCode(409).body(containsString("id=\"e-at\">must be at least 5 minutes in the future"));
        finance.postWithoutToken("/console/prices/" + offPeak + "/close", Map.of("at", end, "confirmed", end))
                .then().statusCode(400);
        // the first save asks, saying who prices those hours then; one confirmed for another end asks again
        String asked = "Calls to " + model + " in those hours, from " + endText + ": entry #" + allDay
                + " ($0.5 per 1M tokens).";
        finance.post("/console/prices/" + offPeak + "/close", Map.of("at", end)).then().statusCode(200)
                .body(containsString("<strong>Not ended yet.</strong> " + asked))
                .body(containsString("name=\"confirmed\" value=\"" + end + "\""));
        finance.post("/console/prices/" + offPeak + "/close", Map.of("at", end, "confirmed", "2030-01-01T00:00"))
                .then().statusCode(200).body(containsString("Not ended yet."));
        asAdmin().get("/api/admin/prices/" + offPeak).then().body("validUntil", equalTo(null));
        Response closed = finance.post("/console/prices/" + offPeak + "/close", Map.of("at", end, "confirmed", end));
        closed.then().statusCode(303).cookie("tollgate-flash", flash("Output price #" + offPeak + " for " + model
                + ", daily 16:30–00:30 UTC, ended at " + endText + ". " + asked));
        finance.follow(closed).then().body(containsString("<div class=\"flash\" role=\"status\">Output price #"));
        asAdmin().get("/api/admin/prices/" + offPeak).then().body("validUntil", equalTo(end + ":00Z"));
        asAdmin().queryParam("entityType", "price_entry").queryParam("entityId", String.valueOf(offPeak))
                .get("/api/admin/audit").then().body("[0].action", equalTo("price.close"));

        // ending the all-day price leaves only another window priced, and nothing until the next price starts
        int night = createEntry(model, from, "02:00", "04:00");
        Instant later = from.plusSeconds(30 * 86_400);
        int next = asAdmin().body(Map.of("from", later.toString(), "usdPerMillionTokens", "0.75", "note", "raise"))
                .post("/api/admin/prices/" + allDay + "/supersede").then().statusCode(201).extract().path("created.id");
        finance.post("/console/prices/" + allDay + "/close", Map.of("at", end)).then().statusCode(200)
                .body(containsString("class=\"notice warning\""))
                .body(containsString("Calls to " + model + ", from " + endText + ": no output price until "
                        + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(later)
                        + ", except 02:00–04:00 UTC (entry #" + night + "); then entry #" + next + " ($0.75 per 1M"
                        + " tokens). Calls without a price have no cost for any of their tokens, and are never"
                        + " invoiced."))
                // the entry that takes over where it already ends is named, one click from its row
                .body(containsString("where <a href=\"/console/prices#entry-" + next + "\">entry #" + next + "</a>"));
        // confirmed, the gap it leaves stays in view as a warning, not as a success
        finance.follow(finance.post("/console/prices/" + allDay + "/close", Map.of("at", end, "confirmed", end)))
                .then().body(containsString("<div class=\"flash warning\" role=\"alert\">Output price #" + allDay))
                .body(containsString("Calls without a price have no cost for any of their tokens, and are never"
                        + " invoiced.</div>"));

        // an instant set to the second through the API is shown to the second, not as the minute before it
        Map<String, Object> early = new HashMap<>(Map.of("model", model, "tokenClass", "output",
                "usdPerMillionTokens", "0.1", "validFrom", from.plusSeconds(30).toString(), "note", "seconds",
                "windowStart", "05:00", "windowEnd", "06:00"));
        asAdmin().body(early).post("/api/admin/prices").then().statusCode(201);
        String seconds = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC)
                .format(from.plusSeconds(30));
        finance.get("/console/prices").then().body(containsString("\"From\">" + seconds + "</td>"));

        // an entry that has ended offers no form
        int ended = asAdmin().get("/api/admin/prices").then().extract().path("find { it.state == 'ended' }.id");
        finance.get("/console/prices/" + ended + "/close").then().statusCode(200)
                .body(containsString("Ended: ")).body(containsString("the past never changes"))
                .body(not(containsString("name=\"at\"")));
    }

    /** A flash message as its cookie carries it. */
    private static Matcher<String> flash(String message) {
        return containsString(URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    private static int createEntry(String model, Instant from, String windowStart, String windowEnd) {
        Map<String, Object> body = new HashMap<>(Map.of("model", model, "tokenClass", "output",
                "usdPerMillionTokens", "0.5", "validFrom", from.toString(), "note", "close test"));
        if (windowStart != null) {
            body.putAll(Map.of("windowStart", windowStart, "windowEnd", windowEnd, "usdPerMillionTokens", "0.25"));
        }
        return asAdmin().body(body).post("/api/admin/prices").then().statusCode(201).extract().path("id");
    }

    @Test
    void theTimelineIsDrawnForEveryModelAndTokenClass() {
        WebDriver browser = Browser.start();
        try {
            Browser.logIn(browser, base.toString(), ADMIN, ADMIN_PASSWORD);
            browser.get(base.toString() + "console/prices?model=deepseek-v4-pro&at=2026-05-01T00:00&cacheHitTokens=1000000");
            Browser.awaitPage(browser, "Prices");
            assertTrue(browser.findElements(By.cssSelector(".trow")).size() >= 6, "2 models x 3 token classes");
            assertEquals("0.003625", browser.findElement(By.id("quote-total")).getText());
            Browser.screenshot(browser, "08-price-book");
            // amounts line up on the decimal side, where a tenfold difference shows
            assertEquals("right", browser.findElement(By.id("quote-total")).getCssValue("text-align"));
        } finally {
            browser.quit();
        }
    }

    /** The launch prices lasted two and a half days: a sliver on the whole book, readable on the week around them. */
    @Test
    void theTimelineShowsTheDaysAskedForAndSaysWhatIsWrongWithOthers() {
        ConsoleSession finance = financeSession();
        finance.get("/console/prices?from=2026-04-23&to=2026-04-29").then().statusCode(200)
                .body(containsString("id=\"f-from\" name=\"from\" type=\"date\" value=\"2026-04-23\""))
                .body(containsString(">25 APR</span>")).body(containsString(">29 APR</span>"))
                .body(not(containsString(">JUN 2026</span>")))
                .body(not(containsString("class=\"now\""))) // December is not on an April week
                .body(containsString("href=\"/console/prices#timeline\">Whole book</a>"))
                // a quote asked for on this page keeps the days the chart shows
                .body(containsString("<input type=\"hidden\" name=\"from\" value=\"2026-04-23\">"));
        finance.get("/console/prices").then().statusCode(200)
                .body(containsString(">JUN 2026</span>")).body(containsString("class=\"now\""))
                .body(not(containsString(">Whole book</a>")));

        finance.get("/console/prices?from=2026-13-01&to=2026-04-29").then().statusCode(400)
                .body(containsString("id=\"e-from\">must be a date like 2026-04-24"))
                .body(containsString(">JUN 2026</span>")); // the whole book meanwhile
        finance.get("/console/prices?from=2026-05-01&to=2026-04-01").then().statusCode(400)
                .body(containsString("id=\"e-to\">must be on or after the day the chart starts"));
        // ISO dates may have signed years of nine digits: refused on the field, not a 500
        for (String far : List.of("%2B999999999-12-31", "-999999999-01-01", "0000-01-01")) {
            finance.request().urlEncodingEnabled(false).get("/console/prices?from=" + far).then().statusCode(400)
                    .body(containsString("id=\"e-from\">must be a day of the years 1 to 9999"));
        }
        finance.get("/console/prices?from=0001-01-01&to=9999-12-31").then().statusCode(200)
                .body(containsString(">2000</span>"));
        // and the quote's own errors are still its own
        finance.get("/console/prices?model=deepseek-v4-pro&at=yesterday&from=2026-04-23&to=2026-04-29")
                .then().statusCode(400).body(containsString("id=\"e-at\"")).body(not(containsString("id=\"e-from\"")))
                .body(containsString(">25 APR</span>"));
    }

    @Test
    void theLaunchPriceIsReadOnTheWeekAroundItWhereTheWholeBookCutsIt() {
        WebDriver browser = Browser.start();
        try {
            Browser.logIn(browser, base.toString(), ADMIN, ADMIN_PASSWORD);
            browser.get(base.toString() + "console/prices");
            Browser.awaitPage(browser, "Prices");
            String launch = ".tbar[title*='$0.03625 / 1M tokens from 2026-04-24 00:00 UTC']";
            assertTrue(cut(browser, launch), "on the whole book the launch price is cut short");
            // the days asked for in the form (set as a date picker sets them: typing depends on the browser's locale)
            ((JavascriptExecutor) browser).executeScript("document.getElementById('f-from').value = '2026-04-23';"
                    + " document.getElementById('f-to').value = '2026-04-29'");
            browser.findElement(By.cssSelector("form.range button[type=submit]")).click();
            Browser.awaitPage(browser, "Prices");
            assertTrue(browser.getCurrentUrl().contains("from=2026-04-23&to=2026-04-29"), browser.getCurrentUrl());
            assertFalse(cut(browser, launch), "on the week around it the launch price reads whole");
            Browser.screenshot(browser, "08-price-book-launch-week");
        } finally {
            browser.quit();
        }
    }

    private static boolean cut(WebDriver browser, String bar) {
        WebElement e = browser.findElement(By.cssSelector(bar));
        return (Boolean) ((JavascriptExecutor) browser).executeScript(
                "return arguments[0].scrollWidth > arguments[0].clientWidth", e);
    }

    /** On a phone the page scrolled sideways and the menu ran out of its bar, white on white. */
    @Test
    void thePriceBookFitsAPhoneScreen() {
        WebDriver browser = Browser.start();
        try {
            Browser.logIn(browser, base.toString(), ADMIN, ADMIN_PASSWORD);
            browser.manage().window().setSize(new Dimension(390, 844));
            browser.get(base.toString() + "console/prices?model=deepseek-v4-pro&at=2026-05-01T00:00"
                    + "&cacheMissTokens=1234567&outputTokens=987654");
            Browser.awaitPage(browser, "Prices");
            JavascriptExecutor js = (JavascriptExecutor) browser;
            long page = (Long) js.executeScript("return document.documentElement.scrollWidth");
            long screen = (Long) js.executeScript("return document.documentElement.clientWidth");
            assertTrue(page <= screen, "the page is " + page + " px wide on a " + screen + " px screen");
            // the quote's total is the answer: it is on the screen, not scrolled out of the table
            Object cut = js.executeScript("var t = document.querySelector('.quote-result');"
                    + " return t.scrollWidth - t.clientWidth");
            assertEquals(0L, cut, "the quote is cut by " + cut + " px");
            WebElement bar = browser.findElement(By.cssSelector(".topbar"));
            WebElement logOut = bar.findElement(By.cssSelector(".who button"));
            assertTrue(logOut.getRect().getX() + logOut.getRect().getWidth() <= screen
                    && logOut.getRect().getY() + logOut.getRect().getHeight() <= bar.getRect().getY()
                            + bar.getRect().getHeight(), "Log out stays inside the top bar");
            js.executeScript("document.querySelector('.quote-result').scrollIntoView()");
            Browser.screenshot(browser, "08-price-book-phone");
            // a bar's dates are on hover, which a touch screen lacks: tapping it leads to its entry instead
            WebElement inForce = browser.findElement(By.cssSelector(".tbar.in_force:not(.windowed)"));
            String entry = inForce.getAttribute("href").replaceAll(".*#", "");
            inForce.click();
            Object top = js.executeScript("return document.getElementById(arguments[0]).getBoundingClientRect().top",
                    entry);
            assertTrue(((Number) top).doubleValue() > -1 && ((Number) top).doubleValue() < 844,
                    entry + " is scrolled into view, at " + top);
            assertEquals("#" + entry, js.executeScript("return location.hash"));
            // and there its actions are on the screen, not at the end of a table scrolled sideways
            WebElement change = browser.findElement(By.cssSelector("#" + entry + " a[href$='/supersede']"));
            assertTrue(change.getRect().getX() + change.getRect().getWidth() <= screen,
                    "Change price ends at " + (change.getRect().getX() + change.getRect().getWidth()));
            Browser.screenshot(browser, "08-price-entry-phone");
        } finally {
            browser.quit();
        }
    }

    private static ConsoleSession financeSession() {
        String user = "finance-" + uniqueSlug("p");
        createUser(user, "finance-password", "finance", null);
        return ConsoleSession.login(user, "finance-password");
    }
}
