package dev.tollgate.apikey;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A tenant's API key. The secret itself is never stored: only its SHA-256. */
@Entity
public class ApiKey extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long tenantId;
    public String publicId;
    public byte[] secretSha256;
    public String name;

    /** Null means every model in the catalog. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> allowedModels;

    public Instant createdAt;
    public String createdBy;
    public Instant expiresAt;
    public Instant revokedAt;
    public Instant rotatedAt;
    public Long replacedById;
    public Instant lastUsedAt;
    /** The idempotency token of the request that issued it, if it sent one. */
    public String issueToken;
}
