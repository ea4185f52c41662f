package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.testkit.MariaDbServer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source with binlog_row_metadata=MINIMAL: table maps carry signedness and charsets but no column names, ENUM/SET
 * members or keys; those come from the catalog through the schema history.
 */
class MinimalMetadataTest {
    private static MariaDbServer server;

    @BeforeAll
    static void start() {
        server = MariaDbServer.start(3, List.of("--binlog-row-metadata=MINIMAL"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void fresh(String db, String... sql) {
        server.execute(null, "CREATE DATABASE " + db);
        server.execute(db, sql);
    }

    @Test
    void rowsDecodeWithNamesSignednessCharsetsAndMembersFromTheCatalog(@TempDir Path dir) throws Exception {
        String db = "mm_decode";
        fresh(db, "CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10) CHARACTER SET latin1, u INT UNSIGNED, "
                + "b BIGINT UNSIGNED, n TINYINT, e ENUM('x','é') CHARACTER SET utf8mb4, st SET('p','q','r'), "
                + "tx TEXT CHARACTER SET utf8mb4, j JSON, bin VARBINARY(4))");
        Path history = dir.resolve("schema-history.jsonl");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, history);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO t VALUES (1, 'äé', 4294967295, 18446744073709551615, -128, 'é', 'p,r', '😀中', "
                    + "'{\"k\": [1]}', X'0001')", "UPDATE t SET u = 7, s = 'ß' WHERE id = 1");
            TableId t = new TableId(db, "t");
            RowChange insert = SourceRun.rows(run.nextWithRows(t), t).get(0);
            assertThat(insert.after()).containsExactly(1L, "äé", 4294967295L, new BigInteger("18446744073709551615"), -128L,
                    "é", "p,r", "😀中", "{\"k\": [1]}", new byte[] {0, 1});
            TableSchema s = insert.schema();
            assertThat(s.columns()).extracting(Column::name).containsExactly("id", "s", "u", "b", "n", "e", "st", "tx", "j", "bin");
            assertThat(s.columns()).extracting(Column::unsigned).containsExactly(false, false, true, true, false, false,
                    false, false, false, false);
            assertThat(s.column("s").charset()).isEqualTo("latin1");
            assertThat(s.column("e").elements()).containsExactly("x", "é");
            assertThat(s.column("j").typeName()).isEqualTo("json");
            assertThat(s.keyColumns()).containsExactly("id");
            assertThat(s.keyKind()).isEqualTo(TableSchema.KeyKind.PRIMARY);
            RowChange update = SourceRun.rows(run.nextWithRows(t), t).get(0);
            assertThat(update.before()[2]).isEqualTo(4294967295L);
            assertThat(update.after()[1]).isEqualTo("ß");
            assertThat(update.after()[2]).isEqualTo(7L);
        }
        // the definition was recorded for later replays
        assertThat(Files.readString(history)).contains("\"mm_decode\"").contains("\"tx\"");
    }

    @Test
    void aColumnCountMismatchWithoutHistoryNamesBinlogRowMetadataFull() throws Exception {
        String db = "mm_mismatch";
        fresh(db, "CREATE TABLE t (a INT PRIMARY KEY, b INT, c INT)");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        Position start = source.resolveStart();
        server.execute(db, "INSERT INTO t VALUES (1, 2, 3)", "ALTER TABLE t DROP COLUMN c");
        try (SourceRun run = SourceRun.run(source, start)) {
            Throwable failure = run.awaitFailure();
            assertThat(failure).isInstanceOfAny(IllegalStateException.class, IOException.class);
            assertThat(failure.getMessage()).contains("binlog_row_metadata=FULL").contains(db + ".t");
        }
    }

    @Test
    void rowsReplayedAfterAnAlterAreReadWithTheShapeRecordedForTheirPosition(@TempDir Path dir) throws Exception {
        String db = "mm_replay";
        fresh(db, "CREATE TABLE t (id INT PRIMARY KEY, a INT UNSIGNED, s VARCHAR(5) CHARACTER SET latin1)");
        Path history = dir.resolve("schema-history.jsonl");
        TableId t = new TableId(db, "t");
        MySqlBinlogSource first = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, history);
        Position start = first.resolveStart();
        try (SourceRun run = SourceRun.run(first, start)) {
            server.execute(db, "INSERT INTO t VALUES (1, 4000000000, 'é')");
            assertThat(SourceRun.rows(run.nextWithRows(t), t).get(0).after()).containsExactly(1L, 4000000000L, "é");
        }
        // while no source runs: the shape changes (same column count, other names and types), then a new-shape row
        server.execute(db, "ALTER TABLE t DROP COLUMN a, DROP COLUMN s, ADD COLUMN x VARCHAR(5) CHARACTER SET utf8mb4, "
                + "ADD COLUMN y BIGINT", "INSERT INTO t VALUES (2, '中', -5)");
        MySqlBinlogSource second = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, history);
        try (SourceRun run = SourceRun.run(second, start)) {
            RowChange old = SourceRun.rows(run.nextWithRows(t), t).get(0);
            assertThat(old.schema().columns()).extracting(Column::name).containsExactly("id", "a", "s");
            assertThat(old.after()).containsExactly(1L, 4000000000L, "é");
            RowChange now = SourceRun.rows(run.nextWithRows(t), t).get(0);
            assertThat(now.schema().columns()).extracting(Column::name).containsExactly("id", "x", "y");
            assertThat(now.after()).containsExactly(2L, "中", -5L);
        }
    }
}
