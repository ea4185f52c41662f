package io.aqueduct.cli;

import io.aqueduct.core.config.JobConfigLoader;
import io.aqueduct.testkit.MariaDbServer;
import io.aqueduct.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Shows the main job working end to end on throwaway servers: a MariaDB source with a shop database under write load,
 * replicated into a PostgreSQL database, with both sides' row counts printed as they go and compared at the end.
 */
@Command(name = "demo", description = "Replicate a busy throwaway MariaDB shop database into a throwaway PostgreSQL, and show it.")
final class Demo implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", description = "How long the writer runs (default: ${DEFAULT-VALUE}).")
    int seconds;

    private static final int EXISTING_ORDERS = 100_000;

    @Override
    public Integer call() throws Exception {
        System.out.println("Starting a throwaway MariaDB (source) and PostgreSQL (target)...");
        try (MariaDbServer mysql = MariaDbServer.start(1); PostgresServer pg = PostgresServer.start()) {
            pg.createDatabase("app");
            mysql.execute(null, "CREATE DATABASE shop",
                    "CREATE TABLE shop.customers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(200), "
                            + "created DATETIME(6) NOT NULL)",
                    "CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, "
                            + "amount DECIMAL(12,2) NOT NULL, status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new', "
                            + "note TEXT, placed TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
                    "CREATE TABLE shop.tmp_scratch (id INT PRIMARY KEY)",
                    "INSERT INTO shop.customers SELECT seq, CONCAT('Customer ', seq, IF(seq % 10 = 0, ' \uD83D\uDE80', '')), "
                            + "CONCAT('c', seq, '@example.com'), NOW(6) FROM shop.seq_1_to_100",
                    // rows that predate the job: the initial snapshot copies them
                    "INSERT INTO shop.orders (customer_id, amount, note) SELECT 1 + seq % 100, seq % 1000 / 10, 'older order' "
                            + "FROM shop.seq_1_to_" + EXISTING_ORDERS);
            Path dir = Files.createTempDirectory("aqueduct-demo");
            String job = """
                    name: shop-replica
                    source:
                      type: mysql               # MySQL or MariaDB, via the binlog (replica emulation)
                      host: 127.0.0.1
                      port: %d
                      user: root
                      password: ${SRC_PASSWORD:-}
                      server-id: 6001
                    tables:
                      include: ["shop\\\\..*"]
                      exclude: ["shop\\\\.tmp_.*"]
                    target:
                      type: postgres
                      host: 127.0.0.1
                      port: %d
                      user: postgres
                      password: ""
                      database: app
                    mode: full+incremental      # copy the existing rows, then follow the binlog
                    snapshot:
                      parallelism: 2
                      chunk-rows: 10000
                    state: ./state/shop-replica
                    status-interval: 5
                    """.formatted(mysql.port(), pg.port());
            Path file = dir.resolve("shop-replica.yaml");
            Files.writeString(file, job);
            System.out.println("Job file " + file + ":\n\n" + job);
            Jobs.Running running = new Jobs.Running(new JobConfigLoader().load(file));
            Thread jobThread = new Thread(() -> {
                try {
                    running.run();
                } catch (Exception e) {
                    System.err.println("job failed: " + e.getMessage());
                }
            }, "job");
            jobThread.start();
            System.out.println("Copying " + EXISTING_ORDERS + " existing orders while the source takes writes, then following "
                    + "the binlog...");

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> write(mysql, writing, written), "writer");
            writer.start();
            Path position = dir.resolve("state/shop-replica/position.json");
            while (jobThread.isAlive() && (!Files.exists(position) || Files.readString(position).contains("\"snapshot\""))) {
                Thread.sleep(100); // the copy's progress display has the terminal until it is done
            }
            long end = System.currentTimeMillis() + seconds * 1000L;
            System.out.printf("%-8s %-22s %-22s%n", "time", "source orders (sum)", "target orders (sum)");
            while (System.currentTimeMillis() < end) {
                Thread.sleep(1000); // print once a second while the writer runs
                print(mysql, pg);
            }
            writing.set(false);
            writer.join();
            boolean same = false;
            for (int i = 0; i < 300 && !(same = sameTotals(mysql, pg)); i++) Thread.sleep(100); // catching up
            print(mysql, pg);
            running.stop();
            jobThread.join();
            System.out.println(same ? "Target matches source (" + written.get() + " writes replicated)." : "Target does NOT match source.");
            return same ? 0 : 1;
        }
    }

    private static void write(MariaDbServer mysql, AtomicBoolean writing, AtomicLong written) {
        Random random = new Random(1);
        try (Connection c = mysql.connect("shop")) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO orders (customer_id, amount, note) VALUES (?, ?, ?)");
                 PreparedStatement upd = c.prepareStatement("UPDATE orders SET status = 'paid', amount = amount + 1 WHERE id = ?");
                 PreparedStatement del = c.prepareStatement("DELETE FROM orders WHERE id = ?");
                 PreparedStatement tmp = c.prepareStatement("REPLACE INTO tmp_scratch VALUES (?)")) {
                long n = 0;
                while (writing.get()) {
                    for (int i = 0; i < 10; i++) {
                        ins.setInt(1, 1 + random.nextInt(100));
                        ins.setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(100000), 2));
                        ins.setString(3, random.nextBoolean() ? null : "note " + n);
                        ins.executeUpdate();
                        n++;
                    }
                    upd.setLong(1, 1 + random.nextInt((int) Math.max(1, n)));
                    upd.executeUpdate();
                    if (n % 50 == 0) {
                        del.setLong(1, 1 + random.nextInt((int) n));
                        del.executeUpdate();
                    }
                    tmp.setLong(1, n % 10);
                    tmp.executeUpdate();
                    c.commit();
                    written.addAndGet(12);
                }
            }
        } catch (Exception e) {
            System.err.println("writer failed: " + e.getMessage());
        }
    }

    private static List<Object> totals(MariaDbServer mysql) {
        return mysql.query("shop", "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM orders").get(0);
    }

    private static List<Object> totals(PostgresServer pg) {
        try {
            return pg.query("app", "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM shop.orders").get(0);
        } catch (IllegalStateException notYet) {
            return List.of(0L, 0);
        }
    }

    private static boolean sameTotals(MariaDbServer mysql, PostgresServer pg) {
        List<Object> a = totals(mysql);
        List<Object> b = totals(pg);
        return ((Number) a.get(0)).longValue() == ((Number) b.get(0)).longValue()
                && new java.math.BigDecimal(a.get(1).toString()).compareTo(new java.math.BigDecimal(b.get(1).toString())) == 0;
    }

    private static void print(MariaDbServer mysql, PostgresServer pg) {
        List<Object> b = totals(pg); // the target first, so the printed source is never behind it
        List<Object> a = totals(mysql);
        System.out.printf("%-8s %-22s %-22s%n", java.time.LocalTime.now().withNano(0), a.get(0) + " (" + a.get(1) + ")",
                b.get(0) + " (" + b.get(1) + ")");
    }
}
