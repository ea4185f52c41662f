package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class MySqlDialectTest {
    @Test
    void datetimeTextPadsEveryField() {
        assertThat(MySqlDialect.datetime(LocalDateTime.of(1000, 1, 1, 0, 0, 0))).isEqualTo("1000-01-01 00:00:00.000000");
        assertThat(MySqlDialect.datetime(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000))).isEqualTo("9999-12-31 23:59:59.999999");
        assertThat(MySqlDialect.datetime(LocalDateTime.of(42, 3, 4, 5, 6, 7, 8_000))).isEqualTo("0042-03-04 05:06:07.000008");
    }
}
