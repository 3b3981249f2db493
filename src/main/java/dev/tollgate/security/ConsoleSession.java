package dev.tollgate.security;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A signed-in browser of local login mode; only the SHA-256 of its session cookie is kept. */
@Entity
@Table(name = "console_session")
public class ConsoleSession extends PanacheEntityBase {

    @Id
    public String tokenHash;

    public Long userId;

    public Instant createdAt;

    public Instant lastSeenAt;
}
