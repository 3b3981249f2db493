package dev.tollgate.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.platform.TollgateConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.jpa.common.runtime.JpaIdentityProviderUtil;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Local mode's password check (console form and admin API Basic). A bcrypt check takes about a tenth of a second of
 * CPU, and HTTP Basic sends the password with every admin API call, so a script of a thousand calls took minutes and
 * took that CPU from the gateway. A password that passed its bcrypt check is remembered for
 * {@code tollgate.auth.password-cache-ttl}, keyed by an HMAC under a key made at each start, never in plaintext; it
 * stands only while the user's stored hash is the one it was checked against, so a deleted or re-created user's old
 * password stops working at once. The user is read at every call, so a role is never stale. Asked before the user
 * store of Quarkus Security JPA, which still serves the form login's session cookie.
 */
@Startup // a wrong password-cache-ttl stops the start, not every login
@ApplicationScoped
public class PasswordCheck implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final String HMAC = "HmacSHA256";
    /** Checked against when no user has the name, so that an unknown name costs what a wrong password costs. */
    private static final String NOBODY = BcryptUtil.bcryptHash("no user has this name");

    @Inject
    TollgateConfig config;
    @Inject
    MeterRegistry metrics;

    private final SecretKeySpec key = new SecretKeySpec(randomKey(), HMAC);
    /** HMAC of name and password → the stored hash that password matched. */
    private Cache<String, String> remembered;
    private Counter verified;
    private Counter fromMemory;
    private Counter refused;

    @PostConstruct
    void init() {
        if (config.auth().passwordCacheTtl().isNegative()) {
            throw new IllegalArgumentException("tollgate.auth.password-cache-ttl must be 0s or more, not "
                    + config.auth().passwordCacheTtl());
        }
        remembered = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(config.auth().passwordCacheTtl())
                .build();
        verified = checks("verified");
        fromMemory = checks("remembered");
        refused = checks("refused");
    }

    private Counter checks(String result) {
        return Counter.builder("tollgate.auth.password.checks").tag("result", result)
                .description("Local logins' password checks: verified by bcrypt, remembered, or refused")
                .register(metrics);
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return SYSTEM_FIRST + 2; // before the user store (at its default, just past SYSTEM_FIRST)
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return context.runBlocking(() -> check(request));
    }

    private SecurityIdentity check(UsernamePasswordAuthenticationRequest request) {
        String name = request.getUsername();
        String password = new String(request.getPassword().getPassword());
        LocalUser user = QuarkusTransaction.requiringNew().call(() -> LocalUser.findByUsername(name).orElse(null));
        String memory = memoryKey(name, password);
        if (user != null && user.passwordHash.equals(remembered.getIfPresent(memory))) {
            fromMemory.increment();
        } else if (BcryptUtil.matches(password, user == null ? NOBODY : user.passwordHash) && user != null) {
            verified.increment();
            remembered.put(memory, user.passwordHash);
        } else {
            refused.increment();
            throw new AuthenticationFailedException();
        }
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user.username)).addCredential(request.getPassword());
        JpaIdentityProviderUtil.addRoles(identity, user.role);
        return identity.build();
    }

    private String memoryKey(String name, String password) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            // the name's length first, so that no two pairs give the same bytes
            mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(nameBytes.length).array());
            mac.update(nameBytes);
            return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
