package dev.tollgate.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.apikey.AuthenticatedKey;
import dev.tollgate.gateway.OpenAiException;
import java.util.Map;

/**
 * What the gateway does with the model name a client sent, from {@link AliasResolver#resolve}.
 *
 * @param outcome        {@code SERVED} (a catalog model or an alias that still serves for this tenant),
 *                       {@code UNKNOWN} (neither: answer 404) or {@code RETIRED} (an alias past its sunset
 *                       in mode reject-after-sunset: answer 410)
 * @param requestedModel the name the client sent
 * @param model          the catalog model to call upstream; null unless served
 * @param alias          the alias the client used (its target gone from the catalog too), or null when it named a
 *                       catalog model (or nothing known)
 * @param mode           the alias' mode in force for this tenant (its override, else the alias' own); null without
 *                       alias, and for an alias whose target left the catalog
 * @param impliedParams  top-level request fields the alias implies, e.g. {@code thinking -> {"type":"disabled"}};
 *                       empty without alias or target. Shared and read-only: copy a value before changing it
 * @param headers        response headers to add, in order: {@code Deprecation}, {@code Sunset}, {@code Link} and,
 *                       when {@link #warn}, {@code X-Tollgate-Warning}. Set for every aliased call, the 410 included;
 *                       empty otherwise
 * @param warn           true when the call carries a warning (rewrite-and-warn, or reject-after-sunset before the sunset)
 * @param error          the OpenAI error to answer for {@code UNKNOWN} (404, code {@code model_not_found}) and
 *                       {@code RETIRED} (410, code {@code model_retired}, naming the replacement); null when served
 */
public record ModelResolution(Outcome outcome, String requestedModel, String model, String alias, AliasMode mode,
        Map<String, JsonNode> impliedParams, Map<String, String> headers, boolean warn, OpenAiException error) {

    public enum Outcome {
        SERVED, UNKNOWN, RETIRED
    }

    public boolean served() {
        return outcome == Outcome.SERVED;
    }

    public boolean aliased() {
        return alias != null;
    }

    /** This resolution when served; otherwise throws its 404 or 410 (send {@link #headers} with a 410 too). */
    public ModelResolution orThrow() {
        if (error != null) {
            throw error;
        }
        return this;
    }

    /** Whether the key may make this call: an alias is allowed exactly when its target model is. */
    public boolean allowedBy(AuthenticatedKey key) {
        return model != null && key.allows(model);
    }
}
