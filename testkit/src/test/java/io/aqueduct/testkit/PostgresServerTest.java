package io.aqueduct.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void sharedServerHasLogicalWal() {
        PostgresServer pg = PostgresServer.shared();

        assertThat(pg.port()).isNotIn(3306, 5432);
        assertThat(pg.jdbcUrl(null)).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
        assertThat(pg.query(null, "SHOW wal_level")).containsExactly(List.of("logical"));
        assertThat(pg.query(null, "SHOW server_encoding")).containsExactly(List.of("UTF8"));
        assertThat(PostgresServer.shared()).isSameAs(pg);
    }

    @Test
    void committedRowsSurviveKillAndRestart() {
        PostgresServer pg = PostgresServer.shared();
        int port = pg.port();
        pg.createDatabase("crash_test");
        pg.createDatabase("crash_test"); // idempotent
        pg.execute("crash_test",
                "CREATE TABLE t (id INT PRIMARY KEY, name TEXT)",
                "INSERT INTO t VALUES (1, 'one'), (2, 'two')");

        pg.kill();
        assertThat(pg.isRunning()).isFalse();
        pg.restart();

        assertThat(pg.isRunning()).isTrue();
        assertThat(pg.port()).isEqualTo(port);
        assertThat(pg.query("crash_test", "SELECT id, name FROM t ORDER BY id"))
                .containsExactly(List.of(1, "one"), List.of(2, "two"));
    }

    @Test
    void privateInstanceTakesExtraArgsAndIsDeletedOnClose() {
        PostgresServer pg = PostgresServer.start(List.of("-c", "max_replication_slots=3"));
        try (pg) {
            assertThat(pg.query(null, "SHOW max_replication_slots")).containsExactly(List.of("3"));

            pg.stop();
            assertThat(pg.isRunning()).isFalse();
            pg.restart();
            assertThat(pg.query(null, "SELECT 1")).containsExactly(List.of(1));
        }
        assertThat(pg.isRunning()).isFalse();
        assertThat(Files.exists(pg.directory())).isFalse();
    }

    @Test
    void startupFailureFailsFastWithTheLog() {
        assertThatThrownBy(() -> PostgresServer.start(List.of("-c", "no_such_setting=1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no_such_setting");
    }
}
