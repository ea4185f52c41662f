package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MariaDB with log_bin_compress=ON writes QUERY_COMPRESSED and *_ROWS_COMPRESSED events (types 165-171). */
class CompressedBinlogTest {

    /**
     * The binlog client library does not know the compressed event types and reports them as UNKNOWN; the source
     * ignores UNKNOWN events, so compressed rows (and compressed DDL) are dropped while their transaction is emitted
     * empty and the position moves past them: silent data loss. Either decode them or refuse to run.
     */
    @Test
    void regression_compressedEventsAreDecodedOrRefused() throws Exception {
        try (MariaDbServer server = MariaDbServer.start(4, List.of("--log-bin-compress=ON", "--log-bin-compress-min-len=10"))) {
            String db = "compressed";
            server.execute(null, "CREATE DATABASE " + db, "CREATE TABLE " + db + ".t (id INT PRIMARY KEY, v VARCHAR(600))");
            TableId t = new TableId(db, "t");
            MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
            try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
                server.execute(db, "INSERT INTO t VALUES (1, REPEAT('a', 500))");
                Transaction tx = run.poll(SourceRun.WAIT);
                if (tx == null) {
                    assertThat(run.failure()).as("run() ended without a transaction").isNotNull();
                    assertThat(run.failure().getMessage()).contains("log_bin_compress");
                } else {
                    assertThat(SourceRun.rows(tx, t)).as("rows of the compressed insert").hasSize(1);
                    assertThat(SourceRun.rows(tx, t).get(0).after()).containsExactly(1L, "a".repeat(500));
                }
            }
        }
    }
}
