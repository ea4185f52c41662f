package io.aqueduct.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class MariaDbServerTest {

    @Test
    void sharedServerIsConfiguredForRowBasedCdc() {
        MariaDbServer db = MariaDbServer.shared();

        assertThat(db.port()).isNotIn(3306, 5432);
        assertThat(db.jdbcUrl("x")).isEqualTo("jdbc:mariadb://127.0.0.1:" + db.port()
                + "/x?allowMultiQueries=true&rewriteBatchedStatements=false");
        List<Object> row = db.query(null, "SELECT @@binlog_format, @@binlog_row_metadata, @@binlog_row_image,"
                + " @@log_bin, @@server_id, @@gtid_strict_mode, @@time_zone").get(0);
        assertThat(row.stream().map(String::valueOf))
                .containsExactly("ROW", "FULL", "FULL", "1", "1", "1", "+00:00");
        assertThat(MariaDbServer.shared()).isSameAs(db);
    }

    @Test
    void committedRowsSurviveKillAndRestart() {
        MariaDbServer db = MariaDbServer.shared();
        int port = db.port();
        db.createDatabase("crash_test");
        db.execute("crash_test",
                "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO t VALUES (1, 'one'), (2, 'two')");

        db.kill();
        assertThat(db.isRunning()).isFalse();
        db.restart();

        assertThat(db.isRunning()).isTrue();
        assertThat(db.port()).isEqualTo(port);
        assertThat(db.query("crash_test", "SELECT id, name FROM t ORDER BY id"))
                .containsExactly(List.of(1, "one"), List.of(2, "two"));
    }

    @Test
    void privateInstanceTakesExtraArgsAndIsDeletedOnClose() {
        MariaDbServer db = MariaDbServer.start(7, List.of("--binlog-format=STATEMENT"));
        try (db) {
            assertThat(db.port()).isNotEqualTo(MariaDbServer.shared().port());
            assertThat(db.query("", "SELECT @@binlog_format, CAST(@@server_id AS CHAR)"))
                    .containsExactly(List.of("STATEMENT", "7"));

            db.stop();
            assertThat(db.isRunning()).isFalse();
            db.restart();
            assertThat(db.query(null, "SELECT 1")).containsExactly(List.of(1));
        }
        assertThat(db.isRunning()).isFalse();
        assertThat(Files.exists(db.directory())).isFalse();
    }

    @Test
    void startupFailureFailsFastWithTheErrorLog() {
        assertThatThrownBy(() -> MariaDbServer.start(8, List.of("--no-such-option")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("unknown option '--no-such-option'");
    }
}
