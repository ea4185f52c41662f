package io.aqueduct.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void timeTextCoversNegativeFractionalAndLongDurations() {
        assertThat(Values.timeText(Duration.ZERO)).isEqualTo("0:00:00.000000");
        assertThat(Values.timeText(Duration.ofHours(838).plusMinutes(59).plusSeconds(59))).isEqualTo("838:59:59.000000");
        assertThat(Values.timeText(Duration.ofHours(838).plusMinutes(59).plusSeconds(59).negated())).isEqualTo("-838:59:59.000000");
        assertThat(Values.timeText(Duration.ofNanos(-1000))).isEqualTo("-0:00:00.000001");
        assertThat(Values.timeText(Duration.ofSeconds(3723, 400_000_000))).isEqualTo("1:02:03.400000");
        assertThat(Values.timeText(Duration.ofSeconds(-12 * 3600 - 34 * 60 - 56))).isEqualTo("-12:34:56.000000");
    }
}
