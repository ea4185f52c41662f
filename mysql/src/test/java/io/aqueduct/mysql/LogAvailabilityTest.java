package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.StartPosition;
import io.aqueduct.testkit.MariaDbServer;
import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logs the source cannot read: statement-based DML, purged files and GTIDs. A private server, because these tests
 * write statement events and purge binlogs.
 */
class LogAvailabilityTest {
    private static MariaDbServer server;

    @BeforeAll
    static void start() {
        server = MariaDbServer.start(2);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /**
     * Purges every file before {@code file}. The server keeps files a dump thread still reads; the dump threads of
     * sources closed by earlier tests end only when they next write to their socket, so they are killed first.
     */
    private static void purgeTo(String file) {
        for (List<Object> row : server.query(null, "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'")) {
            try {
                server.execute(null, "KILL " + row.get(0));
            } catch (IllegalStateException gone) {
                // ended by itself meanwhile
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            server.execute(null, "PURGE BINARY LOGS TO '" + file + "'");
            return server.query(null, "SHOW BINARY LOGS").size() == 1;
        });
    }

    @Test
    void statementBasedDmlStopsTheSourceNamingBinlogFormatRow() throws Exception {
        String db = "stmt";
        server.execute(null, "CREATE DATABASE " + db, "CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO t VALUES (1)");
            assertThat(run.next().rowCount()).isEqualTo(1);
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute("SET SESSION binlog_format = 'STATEMENT'");
                st.execute("INSERT INTO t VALUES (2)");
            }
            Throwable failure = run.awaitFailure();
            assertThat(failure).isInstanceOf(IOException.class);
            assertThat(failure.getMessage()).contains("binlog_format=ROW").contains("INSERT INTO t VALUES (2)");
            // nothing of the statement was emitted as if it had no rows
            assertThat(run.poll(Duration.ZERO)).isNull();
        }
    }

    @Test
    void partialRowImagesStopTheSourceNamingBinlogRowImageFull() throws Exception {
        String db = "partial_image";
        server.execute(null, "CREATE DATABASE " + db, "CREATE TABLE " + db + ".t (id INT PRIMARY KEY, a INT, b INT)");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            try (Connection c = server.connect(db); Statement st = c.createStatement()) {
                st.execute("INSERT INTO t VALUES (1, 2, 3)");
                st.execute("SET SESSION binlog_row_image = 'MINIMAL'");
                st.execute("UPDATE t SET a = 20 WHERE id = 1");
            }
            assertThat(run.next().rowCount()).isEqualTo(1);
            Throwable failure = run.awaitFailure();
            assertThat(failure).isInstanceOf(IOException.class);
            assertThat(failure.getMessage()).contains("binlog_row_image=FULL").contains(db + ".t");
        }
    }

    @Test
    void aPurgedStartFileIsAConfigErrorNamingItAndTheOldestFile() throws Exception {
        String first = (String) server.query(null, "SHOW BINARY LOGS").get(0).get(0);
        server.execute(null, "FLUSH BINARY LOGS", "FLUSH BINARY LOGS");
        String current = (String) server.query(null, "SHOW MASTER STATUS").get(0).get(0);
        purgeTo(current);
        assertThat(current).isNotEqualTo(first);

        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.FileOffset(first, 4), SourceRun.db("x"), 1 << 20, null);
        assertThatThrownBy(source::resolveStart).isInstanceOf(ConfigException.class)
                .hasMessageContaining(first).hasMessageContaining("oldest file available is " + current);

        try (SourceRun run = SourceRun.run(source, new MySqlPosition(first, 4, ""))) {
            Throwable failure = run.awaitFailure();
            assertThat(failure).isInstanceOf(ConfigException.class);
            assertThat(failure.getMessage()).contains(first).contains(current);
        }

        // earliest now means the oldest file still there
        MySqlBinlogSource earliest = SourceRun.source(server, new StartPosition.Earliest(), SourceRun.db("x"), 1 << 20, null);
        assertThat(((MySqlPosition) earliest.resolveStart()).file()).isEqualTo(current);
    }

    /**
     * A GTID start whose following transactions were purged: MariaDB does not refuse it (10.11 starts streaming from
     * the oldest file it still has), so the transactions in between are skipped without any error. A file start is
     * checked against SHOW BINARY LOGS; a GTID start is not checked at all.
     */
    @Test
    void regression_aPurgedGtidStartIsAConfigError() throws Exception {
        String db = "purged_gtid";
        server.execute(null, "CREATE DATABASE " + db, "CREATE TABLE " + db + ".t (id INT PRIMARY KEY)");
        String gtid;
        try (Connection c = server.connect(db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO t VALUES (1)");
            gtid = (String) server.query(null, "SELECT @@gtid_binlog_pos").get(0).get(0);
            st.execute("INSERT INTO t VALUES (2)"); // after the start GTID, then purged
        }
        server.execute(null, "FLUSH BINARY LOGS");
        String current = (String) server.query(null, "SHOW MASTER STATUS").get(0).get(0);
        purgeTo(current);
        server.execute(db, "INSERT INTO t VALUES (3)");

        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Gtid(gtid), SourceRun.db(db), 1 << 20, null);
        assertThatThrownBy(source::resolveStart).as("start at %s after its successor was purged", gtid)
                .isInstanceOf(ConfigException.class).hasMessageContaining(gtid);
        try (SourceRun run = SourceRun.run(source, new MySqlPosition("", 4, gtid))) {
            Throwable failure = run.awaitFailure(Duration.ofSeconds(5));
            assertThat(failure).isInstanceOf(ConfigException.class);
        }
    }
}
