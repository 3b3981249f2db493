package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The simulator alone on a plain Vert.x (no Quarkus, no database), for benchmarks and for pointing other
 * tools at: {@code java -jar target/quarkus-app/quarkus-run.jar simulator --port 9090 --latency zero}.
 * Blocks until the process is stopped.
 */
public final class StandaloneSimulator {

    private static final String USAGE = """
            Usage: simulator [options]
              --host <host>                 interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
              --port <port>                 port (default 9090; 0 = any free port)
              --latency <profile>           zero | realistic | <ttft-millis>/<tokens-per-second> (default realistic),
                                            or per model: deepseek-v4-flash=200/100,deepseek-v4-pro=800/25
              --api-key <key>               accept only this bearer token (default: any non-empty one)
              --flash-concurrency <n>       in-flight limit for deepseek-v4-flash (default 2500)
              --pro-concurrency <n>         in-flight limit for deepseek-v4-pro (default 500)
              --cache-ttl <seconds>         prefix-cache entry lifetime when unused (default 3600)
              --keep-alive-interval <ms>    keep-alive lines while waiting for the first token; 0 = off (default 1000)
              --usage-form <form>           live | documented (default live)
              --fault-every <n>             every nth chat request gets --fault-kind (default 0 = never)
              --fault-kind <fault>          fault for --fault-every (default 503)
              --fault-model <model>=<fault> a fault for every request to that model (repeatable)
              --instances <n>               server instances (event loops) sharing the port (default 1)
            Fault names: %s
            """;

    private StandaloneSimulator() {
    }

    public static void main(String... args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.printf(USAGE, Fault.known());
            return;
        }
        SimulatorSettings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.printf(USAGE, Fault.known());
            System.exit(2);
            return;
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(1, settings.instances())));
        DeepSeekSimulator simulator = DeepSeekSimulator.create(vertx, settings);
        try {
            simulator.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("The simulator could not start: " + e.getMessage());
            vertx.close();
            System.exit(1);
            return;
        }
        System.out.printf("DeepSeek simulator listening on %s (latency %s); stats at %s/_simulator/stats%n",
                simulator.baseUrl(), settings.latency(), simulator.baseUrl());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
            stopped.countDown();
        }, "simulator-stop"));
        stopped.await();
    }

    private static final Set<String> OPTIONS = Set.of("--host", "--port", "--latency", "--api-key",
            "--flash-concurrency", "--pro-concurrency", "--cache-ttl", "--keep-alive-interval", "--usage-form",
            "--fault-every", "--fault-kind", "--fault-model", "--instances");

    static SimulatorSettings parse(String... args) {
        SimulatorSettings.Builder b = SimulatorSettings.builder().port(9090);
        int faultEvery = 0;
        Fault faultKind = Fault.OVERLOADED;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException("Unknown option " + option);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value for " + option);
            }
            String value = args[++i];
            try {
                switch (option) {
                    case "--host" -> b.host(value);
                    case "--port" -> b.port(Integer.parseInt(value));
                    case "--latency" -> b.latency(value);
                    case "--api-key" -> b.apiKey(value);
                    case "--flash-concurrency" -> b.concurrency(Models.FLASH, Integer.parseInt(value));
                    case "--pro-concurrency" -> b.concurrency(Models.PRO, Integer.parseInt(value));
                    case "--cache-ttl" -> b.cacheTtl(Duration.ofSeconds(Long.parseLong(value)));
                    case "--keep-alive-interval" -> b.keepAliveInterval(Duration.ofMillis(Long.parseLong(value)));
                    case "--usage-form" -> b.usageForm(SimulatorSettings.UsageForm.parse(value));
                    case "--fault-every" -> faultEvery = Integer.parseInt(value);
                    case "--fault-kind" -> faultKind = Fault.parse(value);
                    case "--fault-model" -> {
                        String[] pair = value.split("=", 2);
                        if (pair.length != 2) {
                            throw new IllegalArgumentException("--fault-model wants <model>=<fault>");
                        }
                        b.faultForModel(pair[0].toLowerCase(Locale.ROOT), Fault.parse(pair[1]));
                    }
                    case "--instances" -> b.instances(Integer.parseInt(value));
                    default -> throw new IllegalArgumentException("Unknown option " + option);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Not a number for " + option + ": " + value);
            }
        }
        return b.faultEvery(faultEvery, faultKind).build();
    }
}
