package dev.tollgate.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import org.hibernate.annotations.CreationTimestamp;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.UpdateTimestamp;
import org.hibernate.type.SqlTypes;

/** A name clients may send that is served by another model, with a lifecycle. See {@link AliasMode}. */
@Entity
public class ModelAlias extends PanacheEntityBase {

    /** The name clients send; its stable identity. */
    @Id
    public String alias;

    public String targetModel;

    /** A JSON object of top-level request fields the alias implies, e.g. {@code {"thinking":{"type":"disabled"}}}. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String impliedParams;

    public Instant deprecatedAt;
    public Instant sunsetAt;

    @Convert(converter = AliasMode.Converter.class)
    public AliasMode mode;

    public String replacementModel;
    /** An absolute URL; null means the default migration guide. */
    public String migrationGuide;
    public String note;

    @CreationTimestamp
    public Instant createdAt;
    @UpdateTimestamp
    public Instant updatedAt;

    @Version
    public long version;
}
