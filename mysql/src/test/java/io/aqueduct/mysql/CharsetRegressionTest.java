package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.TableId;
import io.aqueduct.testkit.MariaDbServer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Character data the server and the decoder must agree on byte for byte. */
class CharsetRegressionTest {

    /**
     * MySQL's latin1 is cp1252 with the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) mapped to
     * the C1 controls U+0081.. (the server converts them so: CONVERT(_latin1 X'81' USING utf8mb4) = U+0081). Java's
     * windows-1252 decodes them to U+FFFD, so such a value is silently changed on the way through.
     */
    @Test
    void regression_latin1BytesUndefinedInCp1252DecodeAsTheServerDoes() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        String db = "cs_latin1_holes";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20) CHARACTER SET latin1)",
                    "INSERT INTO t VALUES (1, _latin1 X'41818D8F909D80')");
            String serverView = new String(HexFormat.of().parseHex((String) server.query(db,
                    "SELECT HEX(CONVERT(v USING utf8mb4)) FROM t").get(0).get(0)), StandardCharsets.UTF_8);
            assertThat(serverView).isEqualTo("A\u0081\u008d\u008f\u0090\u009d\u20ac");
            TableId t = new TableId(db, "t");
            Object decoded = SourceRun.rows(run.nextWithRows(t), t).get(0).after()[1];
            assertThat(decoded).isEqualTo(serverView);
        }
    }

    /**
     * The table map's ENUM/SET member names are bytes in the column's charset; the binlog client library turns them
     * into Strings with the JVM default charset (UTF-8), so a latin1 member 'é' (byte E9) arrives as U+FFFD.
     */
    @Test
    void regression_latin1EnumAndSetMembersKeepTheirCharacters() throws Exception {
        MariaDbServer server = MariaDbServer.shared();
        String db = "cs_latin1_enum";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('é','ü','a') CHARACTER SET latin1, "
                    + "s SET('ä','ö','b') CHARACTER SET latin1)",
                    "INSERT INTO t VALUES (1, 'é', 'ä,b'), (2, 'ü', 'ö')");
            TableId t = new TableId(db, "t");
            var rows = SourceRun.rows(run.nextWithRows(t), t);
            assertThat(rows.get(0).after()).containsExactly(1L, "é", "ä,b");
            assertThat(rows.get(1).after()).containsExactly(2L, "ü", "ö");
            assertThat(rows.get(0).schema().columns().get(1).elements()).isEqualTo(List.of("é", "ü", "a"));
            assertThat(rows.get(0).schema().columns().get(1).typeName()).isEqualTo("enum('é','ü','a')");
        }
    }
}
