package dev.tollgate.simulator;

import dev.tollgate.platform.EmbeddedDatabase;
import dev.tollgate.platform.TollgateConfig;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The simulator inside the app: the upstream of the embedded-default run when no upstream is configured
 * (no DeepSeek API key, no other endpoint, and the embedded database), and of the test suite. Started eagerly on
 * Quarkus' own Vert.x so its port is known before anything asks for {@link #baseUrl()}.
 */
@Startup
@ApplicationScoped
public class EmbeddedSimulator {

    private static final Logger LOG = Logger.getLogger(EmbeddedSimulator.class);
    private static final String OFFICIAL_API_HOST = "api.deepseek.com";

    @Inject
    Vertx vertx;

    @Inject
    TollgateConfig config;

    private DeepSeekSimulator simulator;

    @PostConstruct
    void start() {
        TollgateConfig.Simulator c = config.simulator();
        boolean noUpstream = noUpstreamConfigured(config.upstream().endpoints());
        if (c.enabled().isEmpty() && noUpstream && !EmbeddedDatabase.started()) {
            // On an external database this is a production set-up whose key went missing (a secret not mounted, a
            // misspelt variable): tenants' calls must not be answered with made-up text, and billed.
            throw new IllegalStateException("No upstream is configured: set DEEPSEEK_API_KEY (or an endpoint under"
                    + " tollgate.upstream.endpoints), or tollgate.simulator.enabled=true to answer calls with the"
                    + " built-in DeepSeek simulator. Only on its embedded database does Tollgate fall back to the"
                    + " simulator by itself.");
        }
        if (!c.enabled().orElse(noUpstream)) {
            return;
        }
        SimulatorSettings.Builder settings = SimulatorSettings.builder()
                .host(c.host())
                .port(c.port())
                .latency(c.latency())
                .apiKey(c.apiKey().orElse(null))
                .concurrency(Models.FLASH, c.flashConcurrency())
                .concurrency(Models.PRO, c.proConcurrency())
                .cacheTtl(c.cacheTtl())
                .keepAliveInterval(c.keepAliveInterval())
                .usageForm(SimulatorSettings.UsageForm.parse(c.usageForm()))
                .faultEvery(c.faultEvery(), Fault.parse(c.faultEveryKind()));
        c.faultByModel().forEach((model, fault) -> settings.faultForModel(model.toLowerCase(Locale.ROOT),
                Fault.parse(fault)));
        DeepSeekSimulator sim = DeepSeekSimulator.create(vertx, settings.build());
        try {
            sim.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("The DeepSeek simulator could not start on " + c.host() + ":" + c.port(), e);
        }
        simulator = sim;
        LOG.infof("DeepSeek simulator (simulated upstream, not the real API) listening on %s, latency %s",
                sim.baseUrl(), c.latency());
    }

    /**
     * Nothing could be called: every endpoint is the official DeepSeek API without an API key, however the key
     * would have been given. An endpoint elsewhere (vLLM, SGLang, a proxy) may need no key, so it counts.
     */
    static boolean noUpstreamConfigured(Map<String, TollgateConfig.Endpoint> endpoints) {
        return endpoints.values().stream().allMatch(EmbeddedSimulator::keylessOfficialApi);
    }

    /** The official API without a key: the default endpoint left unset, which could only answer 401. */
    public static boolean keylessOfficialApi(TollgateConfig.Endpoint e) {
        return e.apiKey().filter(k -> !k.isBlank()).isEmpty() && isOfficialApi(e.baseUrl());
    }

    private static boolean isOfficialApi(String baseUrl) {
        try {
            return OFFICIAL_API_HOST.equalsIgnoreCase(URI.create(baseUrl.trim()).getHost());
        } catch (IllegalArgumentException e) {
            return false; // not a URL: the upstream set-up reports it
        }
    }

    @PreDestroy
    void stop() {
        if (simulator != null) {
            try {
                simulator.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("The DeepSeek simulator did not stop cleanly", e);
            }
        }
    }

    /** Whether the simulator runs in this app (and so is the upstream unless configured otherwise). */
    public boolean running() {
        return simulator != null;
    }

    /** e.g. {@code http://127.0.0.1:41234}; fails when the simulator does not run. */
    public String baseUrl() {
        return simulator().baseUrl();
    }

    /** The bearer token the gateway sends it: the one it was told to accept, if any. */
    public String apiKey() {
        String required = simulator().settings().apiKey();
        return required != null ? required : "simulator";
    }

    /** The simulator itself, for tests: stats, fault plan, reset. */
    public DeepSeekSimulator simulator() {
        if (simulator == null) {
            throw new IllegalStateException("The DeepSeek simulator is not running "
                    + "(tollgate.simulator.enabled=false, or an upstream is configured)");
        }
        return simulator;
    }
}
