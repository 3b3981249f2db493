package dev.tollgate.catalog;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.Instant;

/** One tenant's own mode for one alias; it wins over the alias' mode. */
@Entity
public class AliasTenantOverride extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public Long tenantId;
    public String alias;

    @Convert(converter = AliasMode.Converter.class)
    public AliasMode mode;

    public Instant setAt;
    public String setBy;
}
