package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.testkit.MariaDbServer;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One table mixing every kind of column, so that the per-kind metadata lists of the table map (signedness of numeric
 * columns, charsets of character columns, ENUM/SET members) must be matched to the right columns.
 */
class WideRowTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void everyColumnGetsItsOwnSignednessAndCharset() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        String db = "wide_row";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "CREATE TABLE w (id INT PRIMARY KEY, s0 VARCHAR(10) CHARACTER SET utf8mb4, n0 INT, "
                    + "s1 VARCHAR(10) CHARACTER SET latin1, n1 INT UNSIGNED, b0 VARBINARY(10), d DATE, "
                    + "n2 BIGINT UNSIGNED, s2 VARCHAR(10) CHARACTER SET utf8mb4, e0 ENUM('x','y') CHARACTER SET utf8mb4, "
                    + "t0 TEXT CHARACTER SET latin1, n3 TINYINT UNSIGNED, c0 CHAR(3) CHARACTER SET utf8mb4, n4 SMALLINT, "
                    + "bl BLOB, s3 VARCHAR(10) CHARACTER SET latin1)",
                    "INSERT INTO w VALUES (1, 'ü😀', -5, 'é', 4294967295, X'00FF', '2024-02-29', 18446744073709551615, "
                    + "'中', 'y', 'àé', 255, 'ab', -32768, X'41', 'ß')");
            TableId w = new TableId(db, "w");
            RowChange r = SourceRun.rows(run.nextWithRows(w), w).get(0);
            Object[] v = r.after();
            assertThat(v[0]).isEqualTo(1L);
            assertThat(v[1]).isEqualTo("ü😀");
            assertThat(v[2]).isEqualTo(-5L);
            assertThat(v[3]).isEqualTo("é");
            assertThat(v[4]).isEqualTo(4294967295L);
            assertThat(HEX.formatHex((byte[]) v[5])).isEqualTo("00FF");
            assertThat(v[6]).isEqualTo(LocalDate.of(2024, 2, 29));
            assertThat(v[7]).isEqualTo(new BigInteger("18446744073709551615"));
            assertThat(v[8]).isEqualTo("中");
            assertThat(v[9]).isEqualTo("y");
            assertThat(v[10]).isEqualTo("àé");
            assertThat(v[11]).isEqualTo(255L);
            assertThat(v[12]).isEqualTo("ab");
            assertThat(v[13]).isEqualTo(-32768L);
            assertThat(HEX.formatHex((byte[]) v[14])).isEqualTo("41");
            assertThat(v[15]).isEqualTo("ß");
            List<Column> cols = r.schema().columns();
            assertThat(cols).extracting(Column::name).containsExactly("id", "s0", "n0", "s1", "n1", "b0", "d", "n2", "s2",
                    "e0", "t0", "n3", "c0", "n4", "bl", "s3");
            assertThat(cols).extracting(Column::unsigned).containsExactly(false, false, false, false, true, false, false,
                    true, false, false, false, true, false, false, false, false);
            assertThat(cols).extracting(Column::charset).containsExactly(null, "utf8mb4", null, "latin1", null, null, null,
                    null, "utf8mb4", null, "latin1", null, "utf8mb4", null, null, "latin1");
        }
    }

    /**
     * The server counts GEOMETRY columns among the character columns of the table map's charset list (they carry the
     * binary charset, 63), but ColumnType.isCharacter does not: every character column after a GEOMETRY column gets
     * the charset of the column before it, so a latin1 VARCHAR after a POINT is decoded as byte[] and a utf8mb4 one
     * after a latin1 one as latin1.
     */
    @Test
    void regression_charsetsAfterAGeometryColumn() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        String db = "wide_geo";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "CREATE TABLE g (id INT PRIMARY KEY, p POINT, s1 VARCHAR(10) CHARACTER SET latin1, "
                    + "g GEOMETRY, s2 VARCHAR(10) CHARACTER SET utf8mb4, b VARBINARY(4), s3 TEXT CHARACTER SET latin1)",
                    "INSERT INTO g VALUES (1, POINT(1, 2), 'é', ST_GeomFromText('LINESTRING(0 0, 1 1)'), '😀', X'00', 'ü')");
            TableId g = new TableId(db, "g");
            Object[] v = SourceRun.rows(run.nextWithRows(g), g).get(0).after();
            assertThat(v[1]).isInstanceOf(byte[].class);
            assertThat(v[2]).isEqualTo("é");
            assertThat(v[3]).isInstanceOf(byte[].class);
            assertThat(v[4]).isEqualTo("😀");
            assertThat(HEX.formatHex((byte[]) v[5])).isEqualTo("00");
            assertThat(v[6]).isEqualTo("ü");
        }
    }
}
