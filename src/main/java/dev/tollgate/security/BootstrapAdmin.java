package dev.tollgate.security;

import dev.tollgate.platform.EmbeddedDatabase;
import dev.tollgate.platform.TollgateConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * In local login mode, the first start makes a platform admin called {@code admin}. Its password is
 * TOLLGATE_ADMIN_PASSWORD, or a random one written to a file only this account can read in the data directory;
 * never to the log, which is collected and kept. Only a start that finds no users at all makes it: an admin
 * that was deleted on purpose does not come back at the next restart.
 */
@ApplicationScoped
public class BootstrapAdmin {

    static final String PASSWORD_FILE = "bootstrap-admin-password";

    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class);

    @Inject
    TollgateConfig config;
    @Inject
    LocalUserService users;

    void onStart(@Observes StartupEvent event) {
        if (config.auth().oidc() || !users.noUsers()) {
            return;
        }
        Optional<String> chosen = config.auth().adminPassword();
        if (chosen.isPresent() && chosen.get().length() < UserInput.MIN_PASSWORD_LENGTH) {
            LOG.errorf("No bootstrap admin made: TOLLGATE_ADMIN_PASSWORD is shorter than %d characters",
                    UserInput.MIN_PASSWORD_LENGTH);
            return;
        }
        if (chosen.isPresent() && chosen.get().getBytes(StandardCharsets.UTF_8).length > UserInput.MAX_PASSWORD_BYTES) {
            LOG.errorf("No bootstrap admin made: TOLLGATE_ADMIN_PASSWORD is longer than %d bytes, of which bcrypt"
                    + " would ignore the rest", UserInput.MAX_PASSWORD_BYTES);
            return;
        }
        String password = chosen.orElseGet(BootstrapAdmin::randomPassword);
        Path file = EmbeddedDatabase.dataDirectory().resolve(PASSWORD_FILE);
        // A file of this start's own first: instances sharing a data directory must not overwrite or delete the
        // password of the one whose admin was made. It takes the file's name only once its admin exists.
        Path own = file.resolveSibling(PASSWORD_FILE + "." + UUID.randomUUID() + ".tmp");
        if (chosen.isEmpty()) {
            try { // before the user exists: an admin whose password went nowhere could never log in
                writeOwnerOnly(own, password);
            } catch (IOException e) {
                LOG.errorf("No bootstrap admin made: its password could not be written to %s (%s). Set"
                        + " TOLLGATE_ADMIN_PASSWORD, or TOLLGATE_DATA_DIR to a writable directory, and start again",
                        file, e.getMessage());
                return;
            }
        }
        boolean created;
        try {
            created = users.createFirstUser("admin", password, Roles.PLATFORM_ADMIN);
        } catch (RuntimeException e) {
            // Two instances starting on an empty database: the other one's insert won the unique username.
            LOG.warnf("Could not create the bootstrap admin; another instance may have at the same time: %s",
                    e.getMessage());
            created = false;
        }
        if (!created) {
            if (chosen.isEmpty()) {
                deleteQuietly(own); // a password nobody has
            }
        } else if (chosen.isEmpty()) {
            Path at = file;
            try {
                Files.move(own, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                at = own; // the password is safe where it was written
            }
            LOG.warnf("Created the bootstrap admin. Log in as 'admin' with the password in %s (readable by this"
                    + " account only); once you have named admins, delete the file and the 'admin' user", at);
        } else {
            LOG.info("Created the bootstrap admin 'admin' with the password from TOLLGATE_ADMIN_PASSWORD");
        }
    }

    private static void writeOwnerOnly(Path file, String password) throws IOException {
        Files.createDirectories(file.getParent());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, password + "\n");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("Could not delete %s: %s", file, e.getMessage());
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
