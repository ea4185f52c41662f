package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source without binlog_row_metadata=FULL (MariaDB's default): rows carry no column names, so they are read with the
 * schema history. Rows written before an ALTER but replayed after it must still be read with their own shape.
 */
class MinimalMetadataIT {
    static MariaDbServer source;
    static MariaDbServer target;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.start(31, List.of("--binlog-row-metadata=MINIMAL"));
        target = MariaDbServer.start(32);
    }

    @AfterAll
    static void close() {
        source.close();
        target.close();
    }

    @Test
    void rowsBeforeAnAlterAreReadWithTheirOwnShapeAfterARestart(@TempDir Path dir) throws Exception {
        String yaml = JobHarness.yaml("minimal", source, 6109, "mm\\..*", "mysql", target, "");
        String q = "SELECT * FROM mm.t ORDER BY id";
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            source.execute(null, "CREATE DATABASE mm", "CREATE TABLE mm.t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET latin1, b INT UNSIGNED)");
            source.execute("mm", "INSERT INTO t VALUES (1, 'é', 4294967295)");
            JobHarness.awaitSame(source, q, target, q, job);
        }
        // while the job is down: a row in the old shape, then the shape changes, then a row in the new shape
        source.execute("mm", "INSERT INTO t VALUES (2, 'two', 2)", "ALTER TABLE t DROP COLUMN b, ADD COLUMN c BIGINT",
                "INSERT INTO t VALUES (3, 'three', -3)", "UPDATE t SET a = 'üno' WHERE id = 1");
        assertThat(Files.readString(dir.resolve("state/schema-history.jsonl"))).contains("\"b\"");
        try (JobHarness job = JobHarness.start(yaml, dir)) {
            JobHarness.awaitSame(source, q, target, q, job);
        }
        assertThat(target.query(null, q)).containsExactly(java.util.Arrays.asList(1, "üno", null), java.util.Arrays.asList(2, "two", null), List.of(3, "three", -3L));
    }
}
