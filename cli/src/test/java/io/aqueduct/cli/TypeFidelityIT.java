package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.MariaDbServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every MariaDB column type, with edge values, survives MySQL → MySQL exactly. */
class TypeFidelityIT {
    static MariaDbServer source;
    static MariaDbServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        target = MariaDbServer.start(3);
    }

    @AfterAll
    static void close() {
        target.close();
    }

    @Test
    void everyTypeArrivesExactly(@TempDir Path dir) throws Exception {
        String yaml = JobHarness.yaml("types", source, 6102, "types_m\\..*", "mysql", target, "");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            source.execute(null, "CREATE DATABASE types_m", AllTypes.CREATE.formatted("types_m.t"));
            for (String insert : AllTypes.INSERTS) source.execute(null, insert.formatted("types_m.t"));
            // a TIMESTAMP written from another session time zone is the same instant
            source.execute(null, "SET time_zone = '+05:30'; INSERT INTO types_m.t (id, ts, dtm) VALUES (6, '2024-01-01 05:30:00.25', '2024-01-01 05:30:00.25')");
            source.execute(null, AllTypes.UPDATE.formatted("types_m.t"));
            String q = "SELECT * FROM types_m.t ORDER BY id";
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
                if (job.failure.get() != null) throw new AssertionError("job failed", job.failure.get());
                return canonical(target, q).size() == 6 && canonical(target, q).equals(canonical(source, q));
            });
            List<List<String>> rows = canonical(target, q);
            assertThat(rows.get(0).get(AllTypes.COLUMNS.indexOf("biu"))).isEqualTo("18446744073709551614");
            assertThat(rows.get(0).get(AllTypes.COLUMNS.indexOf("vc"))).isEqualTo("😀 emoji ✓ 𝄞★");
            assertThat(rows.get(0).get(AllTypes.COLUMNS.indexOf("l1"))).isEqualTo("café ü ß € ÿ");
            assertThat(rows.get(1).get(AllTypes.COLUMNS.indexOf("tm0"))).isEqualTo("25:00:00");
            assertThat(rows.get(2).get(AllTypes.COLUMNS.indexOf("vc"))).isEqualTo("null");
            assertThat(rows.get(1).get(AllTypes.COLUMNS.indexOf("c"))).isEqualTo("");
        }
    }

    /** Rows as text: the server's own rendering of each value, bytes in hex, so "equal" means equal on the server. */
    static List<List<String>> canonical(MariaDbServer s, String q) throws Exception {
        List<List<String>> out = new ArrayList<>();
        try (Connection c = s.connect(null); Statement st = c.createStatement()) {
            st.execute("SET time_zone = '+00:00'");
            try (ResultSet rs = st.executeQuery(q)) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        int type = md.getColumnType(i);
                        boolean binary = type == java.sql.Types.BINARY || type == java.sql.Types.VARBINARY
                                || type == java.sql.Types.LONGVARBINARY || type == java.sql.Types.BLOB || type == java.sql.Types.BIT;
                        byte[] bytes = binary ? rs.getBytes(i) : null;
                        String text = binary ? null : rs.getString(i);
                        row.add(binary ? (bytes == null ? "null" : HexFormat.of().formatHex(bytes)) : text == null ? "null" : text);
                    }
                    out.add(row);
                }
            }
        } catch (java.sql.SQLException notYet) {
            return List.of();
        }
        return out;
    }
}
