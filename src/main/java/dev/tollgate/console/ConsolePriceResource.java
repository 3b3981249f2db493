package dev.tollgate.console;

import dev.tollgate.catalog.ModelCatalog;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.pricing.CloseInput;
import dev.tollgate.pricing.PriceBookService;
import dev.tollgate.pricing.PriceConflictException;
import dev.tollgate.pricing.PriceEntryInput;
import dev.tollgate.pricing.PriceEntryView;
import dev.tollgate.pricing.QuoteInput;
import dev.tollgate.pricing.QuoteView;
import dev.tollgate.pricing.SupersedeInput;
import dev.tollgate.pricing.TokenClass;
import dev.tollgate.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The price book: a timeline of every entry, a "what did it cost at instant T" quote, and price changes. */
@Path("/console/prices")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE})
public class ConsolePriceResource {

    private static final Pattern PLAIN_DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");
    /** A count typed with thousands separators (1,000,000 or 1 000 000), as people write large numbers. */
    private static final Pattern GROUPED = Pattern.compile("\\d{1,3}([,_ \u00a0\u202f]\\d{3})+");
    /**
     * Ends in a zone offset: Z, or +hh:mm / -hh:mm (east or west of UTC) after the time of day; or " hh:mm", a +
     * typed into the URL unencoded, which the query string reads as a space.
     */
    private static final Pattern ZONED = Pattern.compile(
            "T.*([zZ]|[+-]\\d{2}(:?\\d{2})?(:?\\d{2})?|\\d \\d{2}:\\d{2})\\s*$");

    @CheckedTemplate(basePath = "prices")
    static class Templates {
        static native TemplateInstance list(PriceTimeline timeline, List<PriceEntryView> entries, List<String> models,
                Map<String, String> quoteForm, QuoteView quote, Map<String, String> errors, String problem,
                DecimalColumn rates, DecimalColumn quoteRates, DecimalColumn quoteCosts, List<PriceGaps.Gap> gaps);

        static native TemplateInstance supersede(PriceEntryView entry, Map<String, String> values,
                Map<String, String> errors);

        static native TemplateInstance create(List<String> models, List<TokenClass> tokenClasses,
                Map<String, String> values, Map<String, String> errors);

        static native TemplateInstance close(PriceEntryView entry, Map<String, String> values,
                Map<String, String> errors, PriceEnding ending, String hint, PriceEntryView next);
    }

    @Inject
    PriceBookService prices;
    @Inject
    ModelCatalog catalog;

    @GET
    public Response list(@QueryParam("model") String model, @QueryParam("at") String at,
            @QueryParam("cacheHitTokens") String hit, @QueryParam("cacheMissTokens") String miss,
            @QueryParam("outputTokens") String output, @QueryParam("from") String from, @QueryParam("to") String to) {
        Map<String, String> form = quoteForm(model, at, hit, miss, output);
        form.put("from", from == null ? "" : from.trim());
        form.put("to", to == null ? "" : to.trim());
        QuoteView quote = null;
        Map<String, String> errors = new LinkedHashMap<>();
        PriceTimeline.Range range = range(form, errors);
        if (model != null) {
            try {
                // the counts the form shows, defaults included, are the ones quoted
                quote = prices.quote(QuoteInput.parse(model, utc(form.get("at")), ungrouped(form.get("cacheHitTokens")),
                        ungrouped(form.get("cacheMissTokens")), ungrouped(form.get("outputTokens"))));
            } catch (InvalidInputException e) {
                errors.putAll(e.fieldErrors());
                // the API's wording asks for a zone the form's field does not take; any other error about the
                // instant (no price in force then) is the service's to say
                if (errors.containsKey("at") && !form.get("at").isBlank() && !readable(utc(form.get("at")))) {
                    errors.put("at", "must be a date and time like 2026-12-31T23:59");
                }
            }
        }
        return Response.status(errors.isEmpty() ? 200 : 400).entity(page(form, quote, errors, null, range)).build();
    }

    /** The timeline's days from the form, the whole book for a blank or wrong one (its error said beside it). */
    private static PriceTimeline.Range range(Map<String, String> form, Map<String, String> errors) {
        LocalDate from = day(form.get("from"), "from", errors);
        LocalDate to = day(form.get("to"), "to", errors);
        if (from != null && to != null && to.isBefore(from)) {
            errors.put("to", "must be on or after the day the chart starts");
        }
        return errors.containsKey("from") || errors.containsKey("to") ? new PriceTimeline.Range(null, null)
                : new PriceTimeline.Range(from, to);
    }

    private static LocalDate day(String value, String field, Map<String, String> errors) {
        if (value.isEmpty()) {
            return null;
        }
        LocalDate day;
        try {
            day = LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            errors.put(field, "must be a date like 2026-04-24");
            return null;
        }
        // ISO dates take signed years of nine digits, whose next day no date can hold
        if (day.getYear() < 1 || day.getYear() > 9999) {
            errors.put(field, "must be a day of the years 1 to 9999");
            return null;
        }
        return day;
    }

    /**
     * Deletes a scheduled entry, a mistake caught before it applies; the entry it superseded, if any, takes its span
     * back (PriceBookService#delete).
     */
    @POST
    @Path("{id: \\d+}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") long id) {
        try {
            PriceBookService.Deletion d = prices.delete(id).orElseThrow(NotFoundException::new);
            PriceEntryView gone = d.deleted();
            String message = "Scheduled " + ConsoleExtensions.label(gone.tokenClass()) + " price #" + id + " for "
                    + gone.model() + window(gone) + " deleted.";
            if (d.extended() != null) {
                message += " Entry #" + d.extended().id() + " ($" + d.extended().usdPerMillionTokens()
                        + ") runs on in its place" + (d.extended().validUntil() == null ? "."
                                : ", until " + ConsoleExtensions.fmt(d.extended().validUntil()) + ".");
            }
            return Flash.redirect("/console/prices", message);
        } catch (PriceConflictException e) { // it started, or came within the lead time, since the page was drawn
            return Response.status(409).entity(page(defaultQuoteForm(), null, Map.of(),
                    "Entry #" + id + " was not deleted: " + e.fieldErrors().get("id") + ".",
                    new PriceTimeline.Range(null, null))).build();
        }
    }

    private TemplateInstance page(Map<String, String> form, QuoteView quote, Map<String, String> errors,
            String problem, PriceTimeline.Range range) {
        List<PriceEntryView> entries = prices.list(null);
        List<QuoteView.Line> lines = quote == null ? List.of() : quote.lines();
        List<String> costs = new ArrayList<>(lines.stream().map(QuoteView.Line::cost).toList());
        if (quote != null) {
            costs.add(quote.total());
        }
        Instant now = Instant.now();
        return Templates.list(PriceTimeline.of(entries, now, range), entries, modelIds(), form, quote, errors,
                problem, DecimalColumn.of(entries.stream().map(PriceEntryView::usdPerMillionTokens).toList()),
                DecimalColumn.of(lines.stream().map(QuoteView.Line::usdPerMillionTokens).toList()),
                DecimalColumn.of(costs), PriceGaps.of(modelIds(), entries, now));
    }

    private static Map<String, String> defaultQuoteForm() {
        return quoteForm(null, null, null, null, null);
    }

    private static Map<String, String> quoteForm(String model, String at, String hit, String miss, String output) {
        Map<String, String> form = new HashMap<>();
        form.put("model", model == null ? "deepseek-v4-pro" : model);
        form.put("at", at == null ? ConsoleExtensions.inputValue(Instant.now()) : at.trim());
        form.put("cacheHitTokens", hit == null ? "1000000" : hit);
        form.put("cacheMissTokens", miss == null ? "0" : miss);
        form.put("outputTokens", output == null ? "0" : output);
        form.put("from", ""); // the timeline's days: the whole book
        form.put("to", "");
        return form;
    }

    @GET
    @Path("{id: \\d+}/supersede")
    public TemplateInstance supersedeForm(@PathParam("id") long id) {
        PriceEntryView entry = prices.find(id).orElseThrow(NotFoundException::new);
        String tomorrow = ConsoleExtensions.inputValue(suggestedStart());
        return Templates.supersede(entry, Map.of("from", tomorrow, "usdPerMillionTokens", entry.usdPerMillionTokens(),
                "note", ""), Map.of());
    }

    @POST
    @Path("{id: \\d+}/supersede")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response supersede(@PathParam("id") long id, MultivaluedMap<String, String> form) {
        PriceEntryView entry = prices.find(id).orElseThrow(NotFoundException::new);
        Map<String, String> values = Map.of("from", value(form, "from"),
                "usdPerMillionTokens", value(form, "usdPerMillionTokens"), "note", value(form, "note"));
        try {
            Map<String, String> errors = new LinkedHashMap<>(); // every field's error at once
            Instant from = parsed(errors, "from", () -> instant("from", values.get("from")));
            BigDecimal rate = parsed(errors, "usdPerMillionTokens", () -> decimal(values.get("usdPerMillionTokens")));
            if (values.get("note").isEmpty()) { // checked by the service too, but only once the rest parses
                errors.put("note", "must not be blank");
            }
            if (!errors.isEmpty()) {
                throw new InvalidInputException(errors);
            }
            SupersedeInput input = new SupersedeInput(from, rate, null, values.get("note"));
            prices.supersede(id, input).orElseThrow(NotFoundException::new);
            return Flash.redirect("/console/prices", "New " + ConsoleExtensions.label(entry.tokenClass())
                    + " price for " + entry.model() + window(entry) + " scheduled from " + ConsoleExtensions.fmt(from)
                    + ".");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(Templates.supersede(entry, values, e.fieldErrors())).build();
        } catch (PriceConflictException e) {
            return Response.status(409).entity(Templates.supersede(entry, values, e.fieldErrors())).build();
        }
    }

    /**
     * Ends an entry with no successor: a model withdrawn, or an off-peak window discontinued. The page asks before
     * it ends anything, saying what prices the calls after the end, or that nothing does.
     */
    @GET
    @Path("{id: \\d+}/close")
    public TemplateInstance closeForm(@PathParam("id") long id) {
        PriceEntryView entry = prices.find(id).orElseThrow(NotFoundException::new);
        // a day ahead on the hour, or a day into an entry that starts later; none when the entry ends before that
        Instant end = suggestedStart();
        if (!end.isAfter(entry.validFrom())) {
            end = entry.validFrom().plus(1, ChronoUnit.DAYS);
        }
        boolean fits = entry.validUntil() == null || end.isBefore(entry.validUntil());
        return closePage(entry, Map.of("at", fits ? ConsoleExtensions.inputValue(end) : ""), Map.of(), null);
    }

    @POST
    @Path("{id: \\d+}/close")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response close(@PathParam("id") long id, MultivaluedMap<String, String> form) {
        PriceEntryView entry = prices.find(id).orElseThrow(NotFoundException::new);
        Map<String, String> values = Map.of("at", value(form, "at"));
        try {
            CloseInput input = new CloseInput(instant("at", values.get("at")));
            if (!values.get("at").equals(value(form, "confirmed"))) { // asked for this end, not one typed before
                prices.checkClose(id, input).orElseThrow(NotFoundException::new);
                PriceEnding ending = PriceEnding.of(entry, input.at(), prices.list(entry.model()));
                return Response.ok(closePage(entry, values, Map.of(), ending)).build();
            }
            PriceEntryView closed = prices.close(id, input).orElseThrow(NotFoundException::new);
            PriceEnding ending = PriceEnding.of(closed, closed.validUntil(), prices.list(closed.model()));
            String message = ConsoleExtensions.capitalized(ConsoleExtensions.label(closed.tokenClass())) + " price #"
                    + id + " for " + closed.model() + window(closed) + " ended at "
                    + ConsoleExtensions.fmt(closed.validUntil()) + ". " + ending.says();
            // confirmed, but calls left without a price are never invoiced: that stays in view as a warning
            return ending.leavesAGap() ? Flash.warn("/console/prices", message)
                    : Flash.redirect("/console/prices", message);
        } catch (InvalidInputException e) {
            return Response.status(400).entity(closePage(entry, values, e.fieldErrors(), null)).build();
        } catch (PriceConflictException e) {
            return Response.status(409).entity(closePage(entry, values, e.fieldErrors(), null)).build();
        }
    }

    private TemplateInstance closePage(PriceEntryView entry, Map<String, String> values, Map<String, String> errors,
            PriceEnding ending) {
        // the entry that takes over where this one already ends, which ending this one leaves as it is
        PriceEntryView next = entry.validUntil() == null ? null : prices.list(entry.model()).stream()
                .filter(e -> e.tokenClass() == entry.tokenClass() && entry.validUntil().equals(e.validFrom())
                        && Objects.equals(e.windowStart(), entry.windowStart())
                        && Objects.equals(e.windowEnd(), entry.windowEnd()))
                .findFirst().orElse(null);
        return Templates.close(entry, values, errors, ending,
                "At least " + prices.leadTimeInWords() + " ahead; calls before it keep this price.", next);
    }

    /**
     * The instant a form suggests for a change: a day ahead on the hour, past the lead time a change needs whenever
     * the form is sent, or the first hour past a longer lead time.
     */
    private Instant suggestedStart() {
        Instant tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
        Instant earliest = prices.earliestChange().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS);
        return earliest.isAfter(tomorrow) ? earliest : tomorrow;
    }

    /** A price of its own: a new model's, or a recurring time-of-day window such as off-peak hours. */
    @GET
    @Path("new")
    public TemplateInstance createForm() {
        String tomorrow = ConsoleExtensions.inputValue(suggestedStart());
        Map<String, String> values = new HashMap<>(Map.of("model", "", "tokenClass", "output",
                "usdPerMillionTokens", "", "validFrom", tomorrow, "validUntil", "", "windowStart", "", "windowEnd", "",
                "note", ""));
        return createPage(values, Map.of());
    }

    @POST
    @Path("new")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response create(MultivaluedMap<String, String> form) {
        Map<String, String> values = new HashMap<>();
        for (String f : List.of("model", "tokenClass", "usdPerMillionTokens", "validFrom", "validUntil", "windowStart",
                "windowEnd", "note")) {
            values.put(f, value(form, f));
        }
        try {
            Map<String, String> errors = new LinkedHashMap<>(); // every field's error at once
            if (values.get("model").isEmpty()) { // checked by the service too, but only once the rest parses
                errors.put("model", "choose a model");
            }
            TokenClass tokenClass = TokenClass.fromWireName(values.get("tokenClass")).orElse(null);
            if (tokenClass == null) {
                errors.put("tokenClass", "must be one of input_cache_hit, input_cache_miss, output");
            }
            BigDecimal rate = parsed(errors, "usdPerMillionTokens", () -> decimal(values.get("usdPerMillionTokens")));
            Instant from = parsed(errors, "validFrom", () -> instant("validFrom", values.get("validFrom")));
            Instant until = values.get("validUntil").isEmpty() ? null
                    : parsed(errors, "validUntil", () -> instant("validUntil", values.get("validUntil")));
            LocalTime windowStart = parsed(errors, "windowStart", () -> time("windowStart", values.get("windowStart")));
            LocalTime windowEnd = parsed(errors, "windowEnd", () -> time("windowEnd", values.get("windowEnd")));
            if (values.get("note").isEmpty()) { // checked by the service too, but only once the rest parses
                errors.put("note", "must not be blank");
            }
            if (!errors.isEmpty()) {
                throw new InvalidInputException(errors);
            }
            PriceEntryView created = prices.create(new PriceEntryInput(values.get("model"), tokenClass, rate, from,
                    until, windowStart, windowEnd, values.get("note")));
            return Flash.redirect("/console/prices", "New " + ConsoleExtensions.label(created.tokenClass())
                    + " price #" + created.id() + " for " + created.model() + window(created) + " scheduled from "
                    + ConsoleExtensions.fmt(created.validFrom()) + ".");
        } catch (InvalidInputException e) {
            return Response.status(400).entity(createPage(values, e.fieldErrors())).build();
        } catch (PriceConflictException e) {
            return Response.status(409).entity(createPage(values, e.fieldErrors())).build();
        }
    }

    private TemplateInstance createPage(Map<String, String> values, Map<String, String> errors) {
        return Templates.create(prices.knownModels(), List.of(TokenClass.values()), values, errors);
    }

    /** ", daily 16:30–00:30 UTC" for a windowed entry, so that it does not read as the all-day price. */
    private static String window(PriceEntryView e) {
        return e.windowStart() == null ? "" : ", daily " + e.windowStart() + "–" + e.windowEnd() + " UTC,";
    }

    /** A time of day from a time input (HH:mm), or none when empty. */
    private static LocalTime time(String field, String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            return LocalTime.parse(value);
        } catch (DateTimeParseException e) {
            throw InvalidInputException.of(field, "must be a time of day like 16:30");
        }
    }

    private List<String> modelIds() {
        return catalog.models().stream().map(m -> m.id()).toList();
    }

    private static String value(MultivaluedMap<String, String> form, String name) {
        String v = form.getFirst(name);
        return v == null ? "" : v.trim();
    }

    /** datetime-local values carry no zone; the console works in UTC. A value with its own offset keeps it. */
    private static String utc(String local) {
        if (local == null || local.length() < 16 || ZONED.matcher(local).find()) {
            return local;
        }
        return local.length() == 16 ? local + ":00Z" : local + "Z";
    }

    private static String ungrouped(String count) {
        return GROUPED.matcher(count.trim()).matches() ? count.replaceAll("[^0-9]", "") : count;
    }

    private static boolean readable(String instant) {
        try {
            OffsetDateTime.parse(instant);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static Instant instant(String field, String value) {
        try {
            return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw InvalidInputException.of(field, "must be a date and time like 2026-12-31T23:59");
        }
    }

    private static <T> T parsed(Map<String, String> errors, String field, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidInputException e) {
            errors.put(field, e.fieldErrors().get(field));
            return null;
        }
    }

    /** A price as people write one: digits and a point, no exponent or sign; trailing zeros say nothing. */
    private static BigDecimal decimal(String value) {
        if (!PLAIN_DECIMAL.matcher(value).matches()) {
            throw InvalidInputException.of("usdPerMillionTokens", "must be a decimal number such as 0.14");
        }
        BigDecimal d = new BigDecimal(value).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }
}
