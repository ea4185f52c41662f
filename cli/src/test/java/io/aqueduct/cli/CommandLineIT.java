package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.FreePort;
import io.aqueduct.testkit.MariaDbServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from {@code aqueduct run} and {@code aqueduct precheck} when something is wrong. */
class CommandLineIT {
    static MariaDbServer source;
    static MariaDbServer noBinlog;
    static MariaDbServer statementFormat;
    @TempDir
    static Path dir;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        source.execute(null, "CREATE DATABASE IF NOT EXISTS cli", "CREATE TABLE IF NOT EXISTS cli.t (id INT PRIMARY KEY, v INT)",
                "CREATE USER IF NOT EXISTS 'alice'@'%' IDENTIFIED BY 'right-password'",
                "GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'alice'@'%'");
        noBinlog = MariaDbServer.start(11, List.of("--skip-log-bin"));
        statementFormat = MariaDbServer.start(12, List.of("--binlog-format=STATEMENT"));
    }

    @AfterAll
    static void close() {
        noBinlog.close();
        statementFormat.close();
    }

    record Result(int code, String out, String err) {}

    static Result aqueduct(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static String job(String name, int port, String user, String password, String extra) throws Exception {
        String yaml = "name: " + name + "\nsource:\n  type: mysql\n  host: 127.0.0.1\n  port: " + port + "\n  user: " + user
                + "\n  password: \"" + password + "\"\n  server-id: 6200\n" + (extra.contains("mode: full") ? "" : "  start: latest\n") + "tables:\n  include: ['cli\\..*']\n"
                + "target:\n  type: mysql\n  host: 127.0.0.1\n  port: " + source.port() + "\n  user: root\n"
                + "state: ./state-" + name + "\n" + (extra.contains("mode:") ? "" : "mode: incremental\n") + extra;
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, yaml);
        return p.toString();
    }

    @Test
    void precheckOfAPostgresTargetNamesMissingPrivileges() throws Exception {
        io.aqueduct.testkit.PostgresServer pg = io.aqueduct.testkit.PostgresServer.shared();
        pg.createDatabase("app");
        pg.execute("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bob') THEN CREATE ROLE bob LOGIN; END IF; END $$",
                "REVOKE CREATE ON DATABASE app FROM bob", "REVOKE CREATE ON DATABASE app FROM PUBLIC");
        Path p = dir.resolve("pg.yaml");
        Files.writeString(p, Files.readString(Path.of(job("pg0", source.port(), "root", "", "")))
                .replace("target:\n  type: mysql\n  host: 127.0.0.1\n  port: " + source.port() + "\n  user: root\n",
                        "target:\n  type: postgres\n  host: 127.0.0.1\n  port: " + pg.port() + "\n  user: bob\n  database: app\n"));
        Result r = aqueduct("precheck", p.toString());
        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("OK    target login").contains("FAIL  target privileges")
                .contains("GRANT CREATE ON DATABASE app TO bob").contains("WARN  foreign keys");
    }

    @Test
    void unknownKeySuggestsTheRightOne() throws Exception {
        Path p = dir.resolve("typo.yaml");
        Files.writeString(p, Files.readString(Path.of(job("typo0", source.port(), "root", "", ""))).replace("  host:", "  hots:"));
        Result r = aqueduct("run", p.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("source.hots: unknown key").contains("Did you mean 'host'").doesNotContain("\tat ");
    }

    @Test
    void wrongTypeNamesTheKey() throws Exception {
        Path p = dir.resolve("type.yaml");
        Files.writeString(p, Files.readString(Path.of(job("type0", source.port(), "root", "", ""))).replace("port: " + source.port() + "\n  user: root\n  password",
                "port: abc\n  user: root\n  password"));
        Result r = aqueduct("run", p.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("source.port: expected a whole number, got 'abc'");
    }

    @Test
    void missingJobFileAndMissingVariable() throws Exception {
        Result r = aqueduct("run", dir.resolve("nope.yaml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("does not exist");
        String j = job("envvar", source.port(), "root", "${AQUEDUCT_TEST_SURELY_UNSET}", "");
        r = aqueduct("run", j);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("source.password").contains("AQUEDUCT_TEST_SURELY_UNSET is not set");
    }

    @Test
    void unreachableHost() throws Exception {
        Result r = aqueduct("run", job("unreach", FreePort.find(), "root", "", ""));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Cannot reach the source database").contains("Check source.host and source.port").doesNotContain("\tat ");
    }

    @Test
    void wrongPasswordAndVerboseStackTrace() throws Exception {
        String j = job("badpw", source.port(), "alice", "wrong-password", "");
        Result r = aqueduct("run", j);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("refused the login of user 'alice'").contains("source.password").doesNotContain("\tat ");
        Result verbose = aqueduct("run", "--verbose", j);
        assertThat(verbose.code()).isEqualTo(2);
        assertThat(verbose.err()).contains("\tat ");
    }

    @Test
    void sourceWithoutBinlog() throws Exception {
        Result r = aqueduct("run", job("nobinlog", noBinlog.port(), "root", "", ""));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("log_bin is OFF").contains("log-bin=mysql-bin");
    }

    @Test
    void unknownTableInRoute() throws Exception {
        Result r = aqueduct("run", job("route", source.port(), "root", "", "routes:\n  tables:\n    cli.missing: other\n"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("routes.tables.cli.missing").contains("the source has no selected table cli.missing");
    }

    @Test
    void precheckPassesOnAGoodSetupAndExplainsABadOne() throws Exception {
        Result good = aqueduct("precheck", job("good", source.port(), "root", "", ""));
        assertThat(good.code()).as(good.out()).isZero();
        assertThat(good.out()).contains("OK    binlog_format").contains("OK    target login").contains("All required checks passed");
        Result bad = aqueduct("precheck", job("stmt", statementFormat.port(), "root", "", ""));
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("FAIL  binlog_format").contains("binlog_format is STATEMENT, needs ROW")
                .contains("fix: SET GLOBAL binlog_format=ROW");
        Path idClash = dir.resolve("idclash.yaml");
        Files.writeString(idClash, Files.readString(Path.of(job("idclash0", source.port(), "root", "", ""))).replace("server-id: 6200", "server-id: 1"));
        Result id = aqueduct("precheck", idClash.toString());
        assertThat(id.code()).isEqualTo(1);
        assertThat(id.out()).contains("FAIL  server-id").contains("the source itself has server_id 1");
        source.execute(null, "CREATE DATABASE IF NOT EXISTS cli", "CREATE TABLE IF NOT EXISTS cli.snap (id INT PRIMARY KEY)",
                "CREATE TABLE IF NOT EXISTS cli.snap_nokey (v INT)");
        Result copy = aqueduct("precheck", job("copy", source.port(), "root", "", "mode: full+incremental\n"));
        assertThat(copy.code()).as(copy.out()).isZero();
        assertThat(copy.out()).containsPattern("OK    initial snapshot +[0-9]+ table\\(s\\) to copy, about [0-9]+ rows");
    }
}
