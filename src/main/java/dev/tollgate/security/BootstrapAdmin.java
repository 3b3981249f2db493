package dev.tollgate.security;

import dev.tollgate.platform.TollgateConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * In local login mode, the first start makes a platform admin called {@code admin}. Its password is
 * TOLLGATE_ADMIN_PASSWORD, or a random one printed once. Only a start that finds no users at all makes it:
 * an admin that was deleted on purpose does not come back at the next restart.
 */
@ApplicationScoped
public class BootstrapAdmin {

    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class);

    @Inject
    TollgateConfig config;
    @Inject
    LocalUserService users;

    void onStart(@Observes StartupEvent event) {
        if (config.auth().oidc()) {
            return;
        }
        boolean generated = config.auth().adminPassword().isEmpty();
        String password = config.auth().adminPassword().orElseGet(BootstrapAdmin::randomPassword);
        boolean created;
        try {
            created = users.createFirstUser("admin", password, Roles.PLATFORM_ADMIN);
        } catch (RuntimeException e) {
            // Two instances starting on an empty database: the other one's insert won the unique username.
            LOG.warnf("Could not create the bootstrap admin; another instance may have at the same time: %s",
                    e.getMessage());
            return;
        }
        if (created) {
            if (generated) {
                LOG.warnf("Created the bootstrap admin. Log in as 'admin' with password: %s "
                        + "(shown only this once; set TOLLGATE_ADMIN_PASSWORD to choose it)", password);
            } else {
                LOG.info("Created the bootstrap admin 'admin' with the password from TOLLGATE_ADMIN_PASSWORD");
            }
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
