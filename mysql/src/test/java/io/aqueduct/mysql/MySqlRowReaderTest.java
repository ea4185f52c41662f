package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** The hand-written parsers of the server's date and time text; the snapshot ITs read every type through them. */
class MySqlRowReaderTest {
    @Test
    void datesAndDatetimesAsTheServerPrintsThem() {
        assertThat(MySqlRowReader.date("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(MySqlRowReader.date("0042-03-04")).isEqualTo(LocalDate.of(42, 3, 4));
        assertThat(MySqlRowReader.datetime("1000-01-01 00:00:00")).isEqualTo(LocalDateTime.of(1000, 1, 1, 0, 0));
        assertThat(MySqlRowReader.datetime("9999-12-31 23:59:59.999999"))
                .isEqualTo(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000));
        // DATETIME(1) and DATETIME(3) print one and three fraction digits
        assertThat(MySqlRowReader.datetime("2024-06-30 23:59:59.5")).isEqualTo(LocalDateTime.of(2024, 6, 30, 23, 59, 59, 500_000_000));
        assertThat(MySqlRowReader.datetime("2024-06-30 23:59:59.012")).isEqualTo(LocalDateTime.of(2024, 6, 30, 23, 59, 59, 12_000_000));
    }

    @Test
    void timesAsTheServerPrintsThem() {
        assertThat(MySqlRowReader.time("00:00:00")).isEqualTo(Duration.ZERO);
        assertThat(MySqlRowReader.time("838:59:59.000000")).isEqualTo(Duration.ofHours(838).plusMinutes(59).plusSeconds(59));
        assertThat(MySqlRowReader.time("-838:59:59")).isEqualTo(Duration.ofHours(838).plusMinutes(59).plusSeconds(59).negated());
        assertThat(MySqlRowReader.time("-00:00:00.000001")).isEqualTo(Duration.ofNanos(-1000));
        assertThat(MySqlRowReader.time("-00:00:01.5")).isEqualTo(Duration.ofMillis(-1500));
        assertThat(MySqlRowReader.time("25:00:00")).isEqualTo(Duration.ofHours(25));
        assertThat(MySqlRowReader.time("1:02:03.04")).isEqualTo(Duration.ofSeconds(3723, 40_000_000));
        for (String bad : new String[] {"", "-", "12:34", "12:34:5", "12-34-56", "1234:00:00", "12:34:56.", "12:34:56.1234567",
            "12:34:56x", "a2:34:56"}) {
            assertThatThrownBy(() -> MySqlRowReader.time(bad)).as(bad).hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void textThatIsNotADateFailsNamingIt() {
        for (String bad : new String[] {"2024-02-29T00:00:00", "2024-02-29 00:00:00.", "2024-2-29 00:00:00", "2024-02-29 00:00:00.1234567"}) {
            assertThatThrownBy(() -> MySqlRowReader.datetime(bad)).hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> MySqlRowReader.date("2024-13-01")).isInstanceOf(java.time.DateTimeException.class);
        assertThatThrownBy(() -> MySqlRowReader.date("20240101")).hasMessageContaining("'20240101'");
    }
}
