package dev.tollgate.platform;

import dev.tollgate.simulator.StandaloneSimulator;
import io.quarkus.runtime.Quarkus;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point of the packaged app. Starts the embedded PostgreSQL first when no external
 * datasource is configured, so that one command gives a working Tollgate on a fresh machine.
 * With {@code simulator} as the first argument it runs only the DeepSeek simulator (docs/simulator.md).
 */
@QuarkusMain
public class TollgateMain {

    /** The login cookie key made at this start, used without TOLLGATE_SESSION_KEY (application.properties). */
    public static final String SESSION_KEY_MADE_AT_START = "tollgate-runtime.session-key";

    public static void main(String... args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("simulator")) {
            StandaloneSimulator.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        EmbeddedDatabase.startUnlessConfigured();
        System.setProperty(SESSION_KEY_MADE_AT_START, randomKey());
        Quarkus.run(args);
    }

    // Login cookies are encrypted with it; a fresh one per start just means logging in again after a restart.
    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
