package dev.tollgate.pricing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;

/**
 * One price: USD per million tokens of one token class of one model, applying on
 * {@code [validFrom, validUntil)}, optionally only inside a daily UTC time window. The database refuses
 * any change that would alter what an entry said about a past instant.
 */
@Entity
public class PriceEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String model;

    @Convert(converter = TokenClass.Converter.class)
    public TokenClass tokenClass;

    public BigDecimal usdPerMillionTokens;
    public Instant validFrom;
    /** Null means open-ended. */
    public Instant validUntil;
    /** Both null for a plain entry. */
    public LocalTime windowStart;
    public LocalTime windowEnd;
    public String note;
    public Instant createdAt;
    public String createdBy;
    /** The entry this one took over from in a supersede, which a delete of this one extends again; else null. */
    public Long supersedesEntryId;

    public TimeWindow window() {
        return TimeWindow.ofNullable(windowStart, windowEnd);
    }

    /** True when the validity ranges of both entries share an instant. */
    boolean validityOverlaps(Instant from, Instant until) {
        return (until == null || validFrom.isBefore(until)) && (validUntil == null || from.isBefore(validUntil));
    }
}
