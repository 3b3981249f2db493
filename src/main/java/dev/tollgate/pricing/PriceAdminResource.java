package dev.tollgate.pricing;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tollgate.platform.NotFound;
import dev.tollgate.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The price book: effective-dated prices per model and token class. Platform admins and finance. */
@Path("/api/admin/prices")
@Tag(name = "Price book", description = "USD per million tokens per model and token class, effective-dated; "
        + "entries in force on past requests never change, prices change only from a future instant")
@RolesAllowed({Roles.PLATFORM_ADMIN, Roles.FINANCE})
public class PriceAdminResource {

    @Inject
    PriceBookService prices;

    @GET
    @Operation(summary = "List price entries", description = "Ordered by model, token class, window and start.")
    public List<PriceEntryView> list(@Parameter(description = "Only this model's entries") @QueryParam("model") String model) {
        return prices.list(model);
    }

    @GET
    @Path("{id: \\d+}")
    @Operation(summary = "One price entry")
    public PriceEntryView get(@PathParam("id") long id) {
        return prices.find(id).orElseThrow(NotFound.no("price entry", id));
    }

    @POST
    @Operation(summary = "Create a price entry starting in the future",
            description = "Give windowStart and windowEnd (UTC times of day, end before start wraps midnight) for a "
                    + "recurring window such as off-peak hours; inside it the entry overrides the plain one.")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "400", description = "Invalid input, with field errors")
    @APIResponse(responseCode = "409", description = "Starts in the past or too soon, or overlaps another entry")
    public Response create(PriceEntryInput input) {
        PriceEntryView created = prices.create(input);
        return Response.created(URI.create("/api/admin/prices/" + created.id())).entity(created).build();
    }

    @POST
    @Path("{id: \\d+}/supersede")
    @Operation(summary = "Supersede an entry from a future instant",
            description = "Ends the entry at `from` and starts a new entry with the same model, token class and "
                    + "window at the new rate, until `validUntil` or where the old entry would have ended. A "
                    + "`validUntil` before that (a promotion) is followed by the old rate again, in `resumed`.")
    @APIResponse(responseCode = "201", description = "The closed entry, its successor and any resumed entry")
    @APIResponse(responseCode = "409", description = "`from` is in the past, too soon, or outside the entry")
    public Response supersede(@PathParam("id") long id, SupersedeInput input) {
        PriceBookService.Supersession s = prices.supersede(id, input).orElseThrow(NotFound.no("price entry", id));
        return Response.created(URI.create("/api/admin/prices/" + s.created().id())).entity(s).build();
    }

    @POST
    @Path("{id: \\d+}/close")
    @Operation(summary = "End an entry at a future instant, without a successor")
    @APIResponse(responseCode = "409", description = "The instant is in the past, too soon, or outside the entry")
    public PriceEntryView close(@PathParam("id") long id, CloseInput input) {
        return prices.close(id, input).orElseThrow(NotFound.no("price entry", id));
    }

    @DELETE
    @Path("{id: \\d+}")
    @Operation(summary = "Delete an entry that has not started yet",
            description = "When a supersede made the deleted entry, the entry it superseded is extended over its "
                    + "span, in `extended`, so that no call is left without a price.")
    @APIResponse(responseCode = "200", description = "The deleted entry, and the entry extended over its span if any")
    @APIResponse(responseCode = "409", description = "The entry is or was in force, or starts too soon")
    public PriceBookService.Deletion delete(@PathParam("id") long id) {
        return prices.delete(id).orElseThrow(NotFound.no("price entry", id));
    }

    @GET
    @Path("quote")
    @Operation(summary = "What a call cost (or will cost) at an instant",
            description = "Cost per token class = tokens × USD per million / 1,000,000, exact, with the total and "
                    + "the price entries used: the same computation the gateway uses for each call.")
    @APIResponse(responseCode = "400", description = "Unknown model, bad instant, bad token count, or no price in force")
    public QuoteView quote(
            @Parameter(description = "Model id, e.g. deepseek-v4-pro", required = true) @QueryParam("model") String model,
            @Parameter(description = "ISO-8601 instant with its offset, e.g. 2026-05-31T15:59:00Z"
                    + " or 2026-05-31T17:59:00+02:00 (the + may be sent unencoded)", required = true)
            @QueryParam("at") String at,
            @Parameter(description = "Input tokens served from the cache (default 0)") @QueryParam("cacheHitTokens") String cacheHitTokens,
            @Parameter(description = "Input tokens not in the cache (default 0)") @QueryParam("cacheMissTokens") String cacheMissTokens,
            @Parameter(description = "Output tokens, reasoning included (default 0)") @QueryParam("outputTokens") String outputTokens) {
        return prices.quote(QuoteInput.parse(model, at, cacheHitTokens, cacheMissTokens, outputTokens));
    }

    /** Bad JSON values in this resource's bodies become field errors (applies to this resource only). */
    @ServerExceptionMapper
    public Response invalidJson(MismatchedInputException e, UriInfo uri) {
        return PricingErrorMapper.invalidJson(e, uri);
    }
}
