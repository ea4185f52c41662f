package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void textThatIsNotADateFailsNamingIt() {
        for (String bad : new String[] {"2024-02-29T00:00:00", "2024-02-29 00:00:00.", "2024-2-29 00:00:00", "2024-02-29 00:00:00.1234567"}) {
            assertThatThrownBy(() -> MySqlRowReader.datetime(bad)).hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> MySqlRowReader.date("2024-13-01")).isInstanceOf(java.time.DateTimeException.class);
        assertThatThrownBy(() -> MySqlRowReader.date("20240101")).hasMessageContaining("'20240101'");
    }
}
