package dev.tollgate.security;

import dev.tollgate.audit.AuditLog;
import dev.tollgate.platform.Inputs;
import dev.tollgate.platform.InvalidInputException;
import dev.tollgate.platform.TransactionLock;
import dev.tollgate.tenant.Tenant;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.ClientErrorException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Local console users (login mode local). Only platform admins call this; resources check the role. */
@ApplicationScoped
public class LocalUserService {

    /** Who the audit log names for changes no user made ({@code system}) and for no login ({@code anonymous}). */
    static final Set<String> RESERVED_NAMES = Set.of("system", "anonymous");

    @Inject
    Inputs inputs;
    @Inject
    AuditLog audit;
    @Inject
    Caller caller;

    public List<UserView> list() {
        return LocalUser.<LocalUser>listAll(Sort.ascending("username")).stream().map(LocalUserService::view).toList();
    }

    public Optional<UserView> find(String username) {
        return LocalUser.findByUsername(username).map(LocalUserService::view);
    }

    @Transactional
    public UserView create(UserInput input) {
        if (caller.oidc()) { // such a user could never log in: the list stays for clean-up and a switch back
            throw new ClientErrorException("In oidc mode people log in with Keycloak: add the user to the realm"
                    + " there, with a role and (for a tenant-admin) the tenant attribute.", 409);
        }
        UserInput in = Inputs.required(input);
        Map<String, String> errors = inputs.violations(in); // every field's error in one answer, a form's included
        if (!errors.containsKey("password")
                && in.password().getBytes(StandardCharsets.UTF_8).length > UserInput.MAX_PASSWORD_BYTES) {
            // bcrypt reads no further: the rest would be ignored at every login
            errors.put("password", "must be at most " + UserInput.MAX_PASSWORD_BYTES
                    + " bytes in UTF-8 (fewer characters outside ASCII)");
        }
        // Creations take turns (to the end of the transaction), so two at once cannot both pass the name check.
        TransactionLock.hold("app_user.create");
        if (!errors.containsKey("username")) {
            String lower = in.username().toLowerCase(Locale.ROOT);
            if (RESERVED_NAMES.contains(lower)) {
                errors.put("username", "is a name Tollgate itself uses in the audit log; choose another");
            } else if (LocalUser.count("lower(username) = ?1", lower) > 0) {
                // logins are case-sensitive: "Admin" would be a second account that passes for "admin" in the audit log
                errors.put("username", "is already taken (possibly in other capitals)");
            }
        }
        Long tenantId = null;
        if (!errors.containsKey("role") && !errors.containsKey("tenantSlug")) {
            try {
                tenantId = tenantFor(in);
            } catch (InvalidInputException e) {
                errors.putAll(e.fieldErrors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        LocalUser u = new LocalUser();
        u.username = in.username();
        u.passwordHash = BcryptUtil.bcryptHash(in.password());
        u.role = in.role();
        u.tenantId = tenantId;
        u.persistAndFlush();
        UserView view = view(u);
        audit.record("user.create", "user", u.username, u.tenantId, null, view);
        return view;
    }

    @Transactional
    public boolean delete(String username) {
        if (username.equals(caller.name())) {
            throw InvalidInputException.of("username", "you cannot delete yourself");
        }
        // The platform admins' rows are locked, so that two admins deleting each other at once cannot both
        // succeed and leave nobody to administer the instance.
        List<LocalUser> admins = LocalUser.<LocalUser>find("role", Roles.PLATFORM_ADMIN)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
        return LocalUser.findByUsername(username).map(u -> {
            if (admins.stream().noneMatch(a -> !a.username.equals(u.username)) && Roles.PLATFORM_ADMIN.equals(u.role)) {
                throw InvalidInputException.of("username", "this is the last platform admin; make another one first");
            }
            audit.record("user.delete", "user", u.username, u.tenantId, view(u), null);
            u.delete();
            return true;
        }).orElse(false);
    }

    /** True until the first user is made. */
    public boolean noUsers() {
        return LocalUser.count() == 0;
    }

    /**
     * Creates the user only while there are no users at all: the bootstrap admin of a first start. Once
     * there are users, a deleted bootstrap admin stays deleted.
     */
    @Transactional
    public boolean createFirstUser(String username, String password, String role) {
        if (LocalUser.count() > 0) {
            return false;
        }
        LocalUser u = new LocalUser();
        u.username = username;
        u.passwordHash = BcryptUtil.bcryptHash(password);
        u.role = role;
        u.persistAndFlush();
        audit.recordBySystem("user.create", "user", u.username, view(u));
        return true;
    }

    private static Long tenantFor(UserInput in) {
        boolean tenantAdmin = Roles.TENANT_ADMIN.equals(in.role());
        boolean named = in.tenantSlug() != null && !in.tenantSlug().isBlank();
        if (tenantAdmin && !named) {
            throw InvalidInputException.of("tenantSlug", "is required for a tenant-admin");
        }
        if (!tenantAdmin) {
            if (named) {
                throw InvalidInputException.of("tenantSlug", "applies to tenant-admins only");
            }
            return null;
        }
        return Tenant.<Tenant>find("slug", in.tenantSlug().trim()).firstResultOptional()
                .map(t -> t.id)
                .orElseThrow(() -> InvalidInputException.of("tenantSlug", "no such tenant"));
    }

    private static UserView view(LocalUser u) {
        String slug = u.tenantId == null ? null : Tenant.<Tenant>findById(u.tenantId).slug;
        return new UserView(u.username, u.role, slug, u.createdAt);
    }
}
