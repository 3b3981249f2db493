package dev.tollgate.platform;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import jakarta.inject.Inject;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * How the REST layer (the admin API) reads request bodies, beyond Jackson's defaults. Its own copy of the mapper:
 * the gateway reads upstream answers with the shared one part by part, which a check for trailing text would break.
 */
@Provider
public class JsonInput implements ContextResolver<ObjectMapper> {

    private final ObjectMapper mapper;

    @Inject
    public JsonInput(ObjectMapper shared) {
        // a body is one JSON value: text after it ({"slug":"a"} garbage, a second object) is malformed JSON and
        // refused, as the gateway refuses it, rather than dropped while the first object is acted on
        mapper = shared.copy().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.registerModule(new SimpleModule("instants-to-the-microsecond")
                .setDeserializerModifier(new BeanDeserializerModifier() {
                    @Override
                    public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config,
                            BeanDescription description, JsonDeserializer<?> deserializer) {
                        return description.getBeanClass() == Instant.class ? new ToTheMicrosecond(deserializer)
                                : deserializer;
                    }
                }));
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return mapper;
    }

    /**
     * An instant is kept to the microsecond, PostgreSQL's precision: one given in nanoseconds was stored rounded,
     * while the answer and the audit log showed it as sent, and two instants a few hundred nanoseconds apart met
     * the database's check as equal, a 409 naming no field.
     */
    static final class ToTheMicrosecond extends DelegatingDeserializer {

        ToTheMicrosecond(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new ToTheMicrosecond(delegate);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            Object value = super.deserialize(parser, context);
            return value instanceof Instant instant ? instant.truncatedTo(ChronoUnit.MICROS) : value;
        }
    }
}
