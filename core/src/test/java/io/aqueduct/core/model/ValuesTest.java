package io.aqueduct.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void unsignedValuesKeepAll64Bits() {
        assertThat(Values.unsigned(0)).isEqualTo(BigInteger.ZERO);
        assertThat(Values.unsigned(Long.MAX_VALUE)).isEqualTo(BigInteger.valueOf(Long.MAX_VALUE));
        assertThat(Values.unsigned(Long.MIN_VALUE)).isEqualTo(BigInteger.ONE.shiftLeft(63));
        assertThat(Values.unsigned(-1)).isEqualTo(new BigInteger("18446744073709551615"));
    }

    @Test
    void timeTextCoversNegativeFractionalAndLongDurations() {
        assertThat(Values.timeText(Duration.ZERO)).isEqualTo("0:00:00.000000");
        assertThat(Values.timeText(Duration.ofHours(838).plusMinutes(59).plusSeconds(59))).isEqualTo("838:59:59.000000");
        assertThat(Values.timeText(Duration.ofHours(838).plusMinutes(59).plusSeconds(59).negated())).isEqualTo("-838:59:59.000000");
        assertThat(Values.timeText(Duration.ofNanos(-1000))).isEqualTo("-0:00:00.000001");
        assertThat(Values.timeText(Duration.ofSeconds(3723, 400_000_000))).isEqualTo("1:02:03.400000");
        assertThat(Values.timeText(Duration.ofSeconds(-12 * 3600 - 34 * 60 - 56))).isEqualTo("-12:34:56.000000");
    }

    @Test
    void datetimeTextPadsEveryField() {
        assertThat(Values.datetimeText(LocalDateTime.of(1000, 1, 1, 0, 0, 0))).isEqualTo("1000-01-01 00:00:00.000000");
        assertThat(Values.datetimeText(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000))).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(Values.datetimeText(LocalDateTime.of(42, 3, 4, 5, 6, 7, 8_000))).isEqualTo("0042-03-04 05:06:07.000008");
    }
}
