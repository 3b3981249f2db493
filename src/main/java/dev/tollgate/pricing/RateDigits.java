package dev.tollgate.pricing;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;

/**
 * A rate that fits the price book's column, {@code numeric(20, 12)}: at most 8 digits before the point and 12 after.
 * Bean Validation's {@code @Digits} counts them in an int, so an exponent such as {@code 1E+2147483647} overflowed
 * the count and passed as a small number, to fail later as a 500; here they are counted in a long.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = RateDigits.Validator.class)
public @interface RateDigits {

    int INTEGER = 8;
    int FRACTION = 12;

    String message() default "numeric value out of bounds (<8 digits>.<12 digits> expected)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<RateDigits, BigDecimal> {
        @Override
        public boolean isValid(BigDecimal value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            long integerDigits = (long) value.precision() - value.scale();
            return integerDigits <= INTEGER && value.scale() <= FRACTION;
        }
    }
}
