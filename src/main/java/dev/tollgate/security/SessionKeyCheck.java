package dev.tollgate.security;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The session key encrypts console logins and signs the console's form tokens. Quarkus takes 16 characters for the
 * first but refuses to sign with fewer than 32, and only when a form is posted: a short key would start fine and
 * then answer every console change with an error. So the start stops instead, naming the setting.
 */
@ApplicationScoped
public class SessionKeyCheck {

    static final int MIN_LENGTH = 32;

    @ConfigProperty(name = "quarkus.http.auth.session.encryption-key")
    String key;

    void onStart(@Observes StartupEvent event) {
        if (key.length() < MIN_LENGTH) {
            // the key itself is never named
            throw new IllegalStateException("TOLLGATE_SESSION_KEY must be at least " + MIN_LENGTH
                    + " characters long (it has " + key.length() + "): it encrypts console logins and signs form tokens");
        }
    }
}
