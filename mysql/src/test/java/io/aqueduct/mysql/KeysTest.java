package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.TableSchema.KeyKind;
import io.aqueduct.testkit.MariaDbServer;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which columns identify a row: the binlog's primary key, else a catalog unique key on NOT NULL columns, else none. */
class KeysTest {
    private final MariaDbServer server = MariaDbServer.shared();

    private TableSchema schemaOf(String db, String create, String insert) throws Exception {
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, create);
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, insert);
            TableId t = new TableId(db, "t");
            return SourceRun.rows(run.nextWithRows(t), t).get(0).schema();
        }
    }

    @Test
    void aCompositePrimaryKeyInKeyOrder() throws Exception {
        TableSchema s = schemaOf("keys_pk", "CREATE TABLE t (a INT, b VARCHAR(10), c INT, PRIMARY KEY (c, a))",
                "INSERT INTO t VALUES (1, 'x', 2)");
        assertThat(s.keyKind()).isEqualTo(KeyKind.PRIMARY);
        assertThat(s.keyColumns()).containsExactly("c", "a");
    }

    @Test
    void aPrimaryKeyWithAPrefixColumn() throws Exception {
        TableSchema s = schemaOf("keys_prefix", "CREATE TABLE t (a INT, b VARCHAR(50), PRIMARY KEY (b(10), a))",
                "INSERT INTO t VALUES (1, 'long enough value')");
        assertThat(s.keyKind()).isEqualTo(KeyKind.PRIMARY);
        assertThat(s.keyColumns()).containsExactly("b", "a");
    }

    /**
     * A table without a PRIMARY KEY whose only usable key is UNIQUE on NOT NULL columns. MariaDB's table map names that
     * index in its SIMPLE_PRIMARY_KEY metadata (the server promotes the first unique NOT NULL index to the table's
     * primary key internally), so the decoder reports PRIMARY where the catalog, and the source's DDL, say UNIQUE.
     */
    @Test
    void regression_aUniqueKeyOnNotNullColumnsIsReportedAsUnique() throws Exception {
        TableSchema s = schemaOf("keys_unique", "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, c INT, "
                + "UNIQUE KEY nullable (c), UNIQUE KEY uk (b, a))", "INSERT INTO t VALUES (1, 2, 3)");
        assertThat(s.keyColumns()).containsExactly("b", "a");
        TableSchema catalog;
        try (Connection c = server.connect(null)) {
            catalog = new MySqlCatalog(c).table(new TableId("keys_unique", "t"));
        }
        assertThat(catalog.keyKind()).isEqualTo(KeyKind.UNIQUE);
        assertThat(catalog.keyColumns()).containsExactly("b", "a");
        assertThat(s.keyKind()).as("key kind of rows of a table whose only key is UNIQUE").isEqualTo(KeyKind.UNIQUE);
    }

    /** A UNIQUE NOT NULL key added by ALTER TABLE keys the rows logged after it (the mapping is rebuilt after DDL). */
    @Test
    void aUniqueKeyAddedLaterIsUsedForLaterRows() throws Exception {
        String db = "keys_unique_later";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE t (a INT NOT NULL, b INT)");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        TableId t = new TableId(db, "t");
        try (SourceRun run = SourceRun.run(source, source.resolveStart())) {
            server.execute(db, "INSERT INTO t VALUES (1, 2)");
            assertThat(SourceRun.rows(run.nextWithRows(t), t).get(0).schema().keyKind()).isEqualTo(KeyKind.NONE);
            server.execute(db, "ALTER TABLE t ADD UNIQUE KEY ua (a)", "INSERT INTO t VALUES (3, 4)");
            TableSchema s = SourceRun.rows(run.nextWithRows(t), t).get(0).schema();
            assertThat(s.keyColumns()).containsExactly("a");
            assertThat(s.hasKey()).isTrue();
        }
    }

    @Test
    void noKeyWhenTheOnlyUniqueKeyAllowsNull() throws Exception {
        TableSchema s = schemaOf("keys_nullable", "CREATE TABLE t (a INT NULL, b INT, UNIQUE KEY (a))",
                "INSERT INTO t VALUES (1, 2)");
        assertThat(s.keyKind()).isEqualTo(KeyKind.NONE);
        assertThat(s.keyColumns()).isEmpty();
        assertThat(s.hasKey()).isFalse();
    }

    @Test
    void noKeyAtAll() throws Exception {
        TableSchema s = schemaOf("keys_none", "CREATE TABLE t (a INT, b TEXT)", "INSERT INTO t VALUES (1, 'x')");
        assertThat(s.keyKind()).isEqualTo(KeyKind.NONE);
        assertThat(s.keyColumns()).isEmpty();
    }

    /** Old rows are keyed by the primary key their own table map names, not by the table's key now. */
    @Test
    void thePrimaryKeyComesFromTheBinlogNotTheCurrentCatalog() throws Exception {
        String db = "keys_history";
        server.execute(null, "DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db);
        server.execute(db, "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a))");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(db), 1 << 20, null);
        Position start = source.resolveStart();
        server.execute(db, "INSERT INTO t VALUES (1, 2)", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (b)",
                "INSERT INTO t VALUES (3, 4)");
        TableId t = new TableId(db, "t");
        try (SourceRun run = SourceRun.run(source, start)) {
            TableSchema before = SourceRun.rows(run.nextWithRows(t), t).get(0).schema();
            TableSchema after = SourceRun.rows(run.nextWithRows(t), t).get(0).schema();
            assertThat(before.keyColumns()).isEqualTo(List.of("a"));
            assertThat(after.keyColumns()).isEqualTo(List.of("b"));
            assertThat(after.keyKind()).isEqualTo(KeyKind.PRIMARY);
        }
    }
}
