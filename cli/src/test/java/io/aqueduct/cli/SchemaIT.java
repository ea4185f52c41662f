package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aqueduct schema} creates missing target tables like the source's; precheck names incompatible ones. */
class SchemaIT {
    static MariaDbServer source;
    static MariaDbServer target;
    static PostgresServer pg;
    @TempDir
    static Path dir;

    @BeforeAll
    static void servers() {
        source = MariaDbServer.shared();
        target = MariaDbServer.start(41);
        pg = PostgresServer.shared();
        pg.createDatabase("app");
        source.execute(null, "CREATE DATABASE IF NOT EXISTS shopschema CHARACTER SET latin1 COLLATE latin1_swedish_ci",
                "CREATE TABLE IF NOT EXISTS shopschema.customers (id INT PRIMARY KEY, email VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL, "
                        + "name VARCHAR(50), UNIQUE KEY uq_email (email), KEY by_name (name)) ENGINE=InnoDB",
                "CREATE TABLE IF NOT EXISTS shopschema.orders (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, customer INT NOT NULL, "
                        + "amount DECIMAL(12,2) NOT NULL DEFAULT 0, placed DATETIME(6), total DECIMAL(13,2) AS (amount * 2) VIRTUAL, "
                        + "KEY by_customer (customer, placed), "
                        + "CONSTRAINT fk_c FOREIGN KEY (customer) REFERENCES customers (id))");
    }

    @AfterAll
    static void close() {
        target.close();
    }

    static Path job(String name, String targetType, int port, String extra) throws Exception {
        String yaml = JobHarness.yaml(name, source, 6300, "shopschema\\..*", targetType, targetType.equals("postgres") ? pg : target, extra)
                .replace("port: " + (targetType.equals("postgres") ? pg.port() : target.port()), "port: " + port);
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void mysqlTargetGetsTheSourcesOwnDefinitionsWithRoutes() throws Exception {
        Path job = job("schema-m", "mysql", target.port(), "routes:\n  databases: {shopschema: shop2}\n  columns: {shopschema.customers: {name: full_name}}\n");
        CommandLineIT.Result dry = CommandLineIT.aqueduct("schema", "--dry-run", job.toString());
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("CREATE DATABASE IF NOT EXISTS `shop2` CHARACTER SET latin1")
                .contains("CREATE TABLE IF NOT EXISTS `customers`").contains("`full_name`").contains("2 table(s) to create (dry run");
        assertThat(target.query(null, "SHOW DATABASES LIKE 'shop2'")).isEmpty();

        CommandLineIT.Result run = CommandLineIT.aqueduct("schema", job.toString());
        assertThat(run.code()).as(run.err()).isZero();
        String created = (String) target.query(null, "SHOW CREATE TABLE shop2.orders").get(0).get(1);
        String original = (String) source.query(null, "SHOW CREATE TABLE shopschema.orders").get(0).get(1);
        assertThat(created).isEqualTo(original);
        assertThat((String) target.query(null, "SHOW CREATE TABLE shop2.customers").get(0).get(1))
                .contains("`full_name` varchar(50)").contains("UNIQUE KEY `uq_email` (`email`)").contains("KEY `by_name` (`full_name`)")
                .contains("CHARSET=latin1");
        CommandLineIT.Result again = CommandLineIT.aqueduct("schema", job.toString());
        assertThat(again.out()).contains("0 table(s) created, 2 already there");
    }

    @Test
    void postgresTargetGetsMappedTablesKeysAndIndexes() throws Exception {
        Path job = job("schema-pg", "postgres", pg.port(), "");
        CommandLineIT.Result run = CommandLineIT.aqueduct("schema", job.toString());
        assertThat(run.code()).as(run.err() + run.out()).isZero();
        assertThat(pg.query("app", "SELECT indexname FROM pg_indexes WHERE schemaname = 'shopschema' ORDER BY 1")).containsExactly(
                List.of("customers_by_name"), List.of("customers_pkey"), List.of("customers_uq_email"), List.of("orders_by_customer"), List.of("orders_pkey"));
        assertThat(pg.query("app", "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shopschema' "
                + "AND table_name = 'orders' AND column_name = 'id'").get(0).get(0)).isEqualTo("numeric");
        // a generated column is a plain one there, which gets the source's values
        assertThat(pg.query("app", "SELECT data_type, is_generated FROM information_schema.columns WHERE table_schema = "
                + "'shopschema' AND table_name = 'orders' AND column_name = 'total'")).containsExactly(List.of("numeric", "NEVER"));
    }

    @Test
    void precheckNamesAMissingColumnAndANarrowerType() throws Exception {
        target.execute(null, "CREATE DATABASE IF NOT EXISTS shopschema",
                "CREATE TABLE IF NOT EXISTS shopschema.customers (id INT PRIMARY KEY, email VARCHAR(20) NOT NULL)",
                "CREATE TABLE IF NOT EXISTS shopschema.orders (id BIGINT UNSIGNED PRIMARY KEY, customer INT NOT NULL, "
                        + "amount DECIMAL(12,2) NOT NULL, placed DATETIME(6), total DECIMAL(13,2) AS (amount * 2) VIRTUAL)");
        CommandLineIT.Result r = CommandLineIT.aqueduct("precheck", job("schema-check", "mysql", target.port(), "").toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("WARN  target table shopschema.customers")
                .contains("column email is varchar(20) on the target, narrower than the source's varchar(100)")
                .contains("column name (varchar(50)) is missing").doesNotContain("target table shopschema.orders");
    }
}
