package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.model.TableId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotProgressTest {
    @Test
    void everyKeyTypeSurvivesTheStoredPosition() {
        Object[] key = {42L, "a.b`c\"'", new BigInteger("18446744073709551615"), new BigDecimal("-12.3400"),
                new byte[] {0, (byte) 0xff}, LocalDate.of(1, 1, 1), LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123456000),
                Instant.parse("2038-01-19T03:14:07.999999Z"), Duration.ofHours(-838).minusMinutes(59), -0.0f, Double.NaN,
                "0000-00-00"};
        SnapshotProgress p = new SnapshotProgress(List.of(new TableId("d.b", "t"), new TableId("x", "y")), key);
        MySqlPosition pos = new MySqlPosition("mysql-bin.000007", 1234, "0-1-9", p);
        MySqlPosition back = MySqlPosition.parse(pos.toJson());
        assertThat(back).isEqualTo(pos);
        assertThat(back.snapshot().after()[3]).isEqualTo(new BigDecimal("-12.3400")); // scale kept
        assertThat(Float.floatToRawIntBits((Float) back.snapshot().after()[9])).isEqualTo(Float.floatToRawIntBits(-0.0f));
    }

    @Test
    void progressMovesThroughTablesAndEnds() {
        SnapshotProgress p = new SnapshotProgress(List.of(new TableId("a", "1"), new TableId("a", "2")), null);
        SnapshotProgress mid = p.after(new Object[] {5L});
        assertThat(mid.current()).isEqualTo(new TableId("a", "1"));
        SnapshotProgress next = mid.after(null);
        assertThat(next.current()).isEqualTo(new TableId("a", "2"));
        assertThat(next.after()).isNull();
        assertThat(next.after(null)).isNull();
    }

    @Test
    void positionsWithoutASnapshotStayAsBefore() {
        MySqlPosition p = new MySqlPosition("mysql-bin.000001", 4, "");
        assertThat(p.toJson()).doesNotContain("snapshot");
        assertThat(MySqlPosition.parse("{\"file\":\"mysql-bin.000001\",\"position\":4}")).isEqualTo(p);
    }

    @Test
    void aDamagedSnapshotSectionIsReportedAsAnUnreadablePosition() {
        assertThatThrownBy(() -> MySqlPosition.parse("{\"file\":\"f.1\",\"position\":4,\"snapshot\":{\"tables\":[[\"a\"]]}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[schema, table]");
        assertThatThrownBy(() -> MySqlPosition.parse("{\"file\":\"f.1\",\"position\":4,\"snapshot\":{\"tables\":[]}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tables left");
        assertThatThrownBy(() -> MySqlPosition.parse("{\"file\":\"f.1\",\"position\":4,\"snapshot\":"
                + "{\"tables\":[[\"a\",\"b\"]],\"after\":[\"Q1\"]}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key value tag");
    }

    @Test
    void positionsCompareByFileNumberThenOffset() {
        assertThat(MySqlPosition.compare(new MySqlPosition("mysql-bin.000009", 900, ""), new MySqlPosition("mysql-bin.000010", 4, "")))
                .isNegative();
        assertThat(MySqlPosition.compare(new MySqlPosition("mysql-bin.999999", 4, ""), new MySqlPosition("mysql-bin.1000000", 4, "")))
                .isNegative();
        assertThat(MySqlPosition.compare(new MySqlPosition("b.000002", 50, ""), new MySqlPosition("b.000002", 40, ""))).isPositive();
        assertThat(MySqlPosition.compare(new MySqlPosition("", 4, "0-1-5"), new MySqlPosition("b.000001", 4, ""))).isNegative();
    }
}
