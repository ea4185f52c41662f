package io.aqueduct.log;

import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/** Reproducible, realistic transactions over two tables whose columns cover every value type. */
final class Samples {
    /** A source position as a source would implement it; the log gives back its JSON as a {@link LoggedPosition}. */
    record BinlogPosition(String file, long offset) implements Position {
        @Override
        public String toJson() {
            return "{\"file\":\"" + file + "\",\"pos\":" + offset + "}";
        }
    }

    static final TableSchema ORDERS = new TableSchema(new TableId("shop", "orders"), List.of(
            column("id", Types.BIGINT, "bigint", false, false),
            column("customer", Types.VARCHAR, "varchar(64)", false, false),
            column("amount", Types.DECIMAL, "decimal(12,2)", false, false),
            column("price", Types.DOUBLE, "double", true, false),
            column("ratio", Types.REAL, "float", true, false),
            column("created", Types.TIMESTAMP, "datetime(6)", false, false),
            column("updated", Types.TIMESTAMP_WITH_TIMEZONE, "timestamp(6)", true, false),
            column("day", Types.DATE, "date", true, false),
            column("duration", Types.TIME, "time(6)", true, false),
            column("payload", Types.VARBINARY, "varbinary(255)", true, false),
            column("counter", Types.BIGINT, "bigint unsigned", true, true),
            column("note", Types.LONGVARCHAR, "text", true, false)),
            List.of("id"), TableSchema.KeyKind.PRIMARY);

    static final TableSchema CUSTOMERS = new TableSchema(new TableId("shop", "customers"), List.of(
            column("email", Types.VARCHAR, "varchar(128)", false, false),
            column("name", Types.VARCHAR, "varchar(128)", true, false),
            new Column("status", Types.CHAR, "enum('new','active','gone')", false, false, 6, 0, "utf8mb4",
                    List.of("new", "active", "gone"))),
            List.of("email"), TableSchema.KeyKind.UNIQUE);

    /** A reader's selection of the orders table only. */
    static final TableFilter ORDERS_ONLY = new TableFilter(List.of("shop\\.orders"), List.of());
    /** The changes such a reader gets: the orders table's rows and DDL. */
    static final Predicate<Change> ORDERS_CHANGES = c -> c instanceof RowChange rc ? rc.table().equals(ORDERS.id())
            : ((Ddl) c).table().equals(ORDERS.id());

    private static final String[] NAMES = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "Zoë", "Łukasz"};
    static final long START_MILLIS = 1_700_000_000_000L;

    private final Random random;

    Samples(long seed) {
        random = new Random(seed);
    }

    static Column column(String name, int jdbcType, String typeName, boolean nullable, boolean unsigned) {
        return new Column(name, jdbcType, typeName, nullable, unsigned, 0, 0, jdbcType == Types.VARCHAR ? "utf8mb4" : null, List.of());
    }

    /** A whole transaction of one to five changes; about one in fifty is a DDL. */
    Transaction transaction(long seq) {
        return new Transaction(seq, "gtid-" + seq, "101", commitTime(seq), new BinlogPosition("mysql-bin.000001", 4 + 100 * seq),
                changes(1 + random.nextInt(5)), 0, true);
    }

    /** One transaction as {@code count} fragments of a few changes each; only the last carries the position. */
    List<Transaction> fragments(long seq, int count) {
        long time = commitTime(seq);
        List<Transaction> out = new ArrayList<>();
        for (int f = 0; f < count; f++) {
            boolean last = f == count - 1;
            out.add(new Transaction(seq, "gtid-" + seq, "101", time, last ? new BinlogPosition("mysql-bin.000001", 4 + 100 * seq) : null,
                    changes(1 + random.nextInt(3)), f, last));
        }
        return out;
    }

    /** {@code count} transactions from {@code firstSeq} on, every {@code fragmentEvery}-th one in 2 to 4 fragments. */
    List<Transaction> stream(long firstSeq, int count, int fragmentEvery) {
        List<Transaction> out = new ArrayList<>();
        for (long s = firstSeq; s < firstSeq + count; s++) {
            if (fragmentEvery > 0 && s % fragmentEvery == 0) out.addAll(fragments(s, 2 + random.nextInt(3)));
            else out.add(transaction(s));
        }
        return out;
    }

    /** Commit times that mostly grow with the seqno but jump back a little now and then, as sources' clocks do. */
    long commitTime(long seq) {
        return START_MILLIS + seq * 1000 - (random.nextInt(10) == 0 ? random.nextInt(3000) : 0);
    }

    private List<Change> changes(int n) {
        List<Change> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(100);
            if (kind < 2) {
                out.add(new Ddl("shop", "ALTER TABLE orders ADD COLUMN c" + i + " int", ORDERS.id(), ORDERS));
            } else if (kind < 40) {
                out.add(new RowChange(ORDERS, RowChange.Op.INSERT, null, order()));
            } else if (kind < 60) {
                out.add(new RowChange(ORDERS, RowChange.Op.UPDATE, order(), order()));
            } else if (kind < 70) {
                out.add(new RowChange(ORDERS, RowChange.Op.DELETE, order(), null));
            } else {
                out.add(new RowChange(CUSTOMERS, RowChange.Op.INSERT, null, customer()));
            }
        }
        return out;
    }

    private Object[] order() {
        long id = random.nextInt(1_000_000);
        LocalDateTime created = LocalDateTime.of(2024, 1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24),
                random.nextInt(60), random.nextInt(60), random.nextInt(1_000_000) * 1000);
        return new Object[] {
            id,
            NAMES[random.nextInt(NAMES.length)],
            BigDecimal.valueOf(random.nextInt(10_000_000), 2),
            random.nextBoolean() ? null : random.nextDouble() * 1000,
            random.nextBoolean() ? null : random.nextFloat(),
            created,
            random.nextBoolean() ? null : Instant.ofEpochSecond(1_700_000_000L + random.nextInt(10_000_000), random.nextInt(1_000_000) * 1000),
            random.nextBoolean() ? null : LocalDate.of(2024, 1 + random.nextInt(12), 1 + random.nextInt(28)),
            random.nextBoolean() ? null : Duration.ofSeconds(random.nextInt(3_000_000) - 1_500_000, random.nextInt(1_000_000) * 1000L),
            random.nextBoolean() ? null : bytes(random.nextInt(20)),
            random.nextBoolean() ? null : BigInteger.valueOf(random.nextLong()).abs().shiftLeft(1).add(BigInteger.ONE),
            random.nextInt(4) == 0 ? null : "order note " + random.nextInt(100) + " for " + NAMES[random.nextInt(NAMES.length)]
        };
    }

    private Object[] customer() {
        String name = NAMES[random.nextInt(NAMES.length)];
        return new Object[] {name + random.nextInt(10_000) + "@example.com", random.nextInt(5) == 0 ? "" : name, "active"};
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
