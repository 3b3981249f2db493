package dev.tollgate.security;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.security.jpa.Password;
import io.quarkus.security.jpa.Roles;
import io.quarkus.security.jpa.UserDefinition;
import io.quarkus.security.jpa.Username;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.annotations.CreationTimestamp;

/** A console user of local login mode; Quarkus Security JPA checks the bcrypt hash at login. */
@Entity
@Table(name = "app_user")
@UserDefinition
public class LocalUser extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Username
    public String username;

    @Password
    public String passwordHash;

    @Roles
    public String role;

    /** Set for tenant-admins only: the one tenant they manage. */
    public Long tenantId;

    @CreationTimestamp
    public Instant createdAt;

    public static Optional<LocalUser> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }
}
