package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.StartPosition;
import io.aqueduct.core.model.Position;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.Transaction;
import io.aqueduct.testkit.MariaDbServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property-style check of the row decoder against the server itself: for every column type, random values plus edge
 * values and NULL are inserted, updated and deleted; each decoded image must equal what the server reports for the
 * stored value (read back canonically: HEX, CAST AS CHAR, UNIX_TIMESTAMP, or the binary protocol for FLOAT/DOUBLE),
 * converted to the Java type {@link io.aqueduct.core.model.Values} documents. The seed is printed on failure and can be
 * fixed with -Daqueduct.seed=N.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecoderVsServerTest {
    private static final String DB = "decoder_types";
    private static final long SEED = Long.getLong("aqueduct.seed", System.nanoTime());
    private static final int RANDOM_ROWS = 30;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private MariaDbServer server;
    private SourceRun run;
    private Connection text;
    private Connection binary;

    /**
     * One column type under test.
     *
     * @param type      the column definition
     * @param gen       a random SQL literal of the type
     * @param edges     SQL literals of edge values
     * @param canonical a server-side expression over {@code v} whose JDBC value {@code expected} turns into the
     *                  Java value the decoder must produce
     */
    record Spec(String name, String type, Function<Random, String> gen, List<String> edges, String canonical,
                Function<Object, Object> expected) {
        @Override
        public String toString() {
            return name + " " + type;
        }
    }

    @BeforeAll
    void start() throws Exception {
        server = MariaDbServer.shared();
        server.execute(null, "DROP DATABASE IF EXISTS " + DB, "CREATE DATABASE " + DB);
        text = server.connect(DB);
        try (Statement st = text.createStatement()) {
            st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
            st.execute("SET SESSION time_zone = '+00:00'");
        }
        binary = DriverManager.getConnection(server.jdbcUrl(DB) + "&useServerPrepStmts=true", "root", "");
        MySqlBinlogSource source = SourceRun.source(server, new StartPosition.Latest(), SourceRun.db(DB), 64L << 20, null);
        Position from = source.resolveStart();
        run = SourceRun.run(source, from);
    }

    @AfterAll
    void stop() throws Exception {
        if (run != null) run.close();
        if (text != null) text.close();
        if (binary != null) binary.close();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("specs")
    void decodedImagesEqualTheServersValues(Spec spec) throws Exception {
        String table = "t_" + spec.name();
        TableId id = new TableId(DB, table);
        Random r = new Random(SEED ^ spec.name().hashCode());
        String where = " [seed " + SEED + ", " + spec + "]";

        List<String> values = new ArrayList<>(spec.edges());
        values.add("NULL");
        for (int i = 0; i < RANDOM_ROWS; i++) values.add(spec.gen().apply(r));
        int n = values.size();

        exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, v " + spec.type() + " NULL)");
        text.setAutoCommit(false);
        StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES ");
        for (int i = 0; i < n; i++) insert.append(i == 0 ? "" : ", ").append('(').append(i + 1).append(", ").append(values.get(i)).append(')');
        exec(insert.toString());
        text.commit();
        Map<Integer, Object> inserted = canonical(spec, table);

        for (int i = 1; i <= n; i++) {
            String next = i == 1 ? "NULL" : spec.gen().apply(r);
            exec("UPDATE " + table + " SET v = " + next + " WHERE id = " + i);
        }
        text.commit();
        Map<Integer, Object> updated = canonical(spec, table);
        exec("DELETE FROM " + table);
        text.commit();
        text.setAutoCommit(true);

        List<Transaction> txs = run.untilRow(id, c -> c.op() == RowChange.Op.DELETE);
        List<RowChange> changes = SourceRun.rows(txs, id);

        List<RowChange> inserts = changes.stream().filter(c -> c.op() == RowChange.Op.INSERT).toList();
        assertThat(inserts).as("inserts" + where).hasSize(n);
        for (int i = 0; i < n; i++) {
            Object[] row = inserts.get(i).after();
            assertThat(row[0]).as("id" + where).isEqualTo((long) (i + 1));
            same(row[1], inserted.get(i + 1), "insert of id " + (i + 1) + " literal " + values.get(i) + where);
        }
        assertThat(inserts.get(0).schema().columns().get(1).name()).isEqualTo("v");

        List<RowChange> updates = changes.stream().filter(c -> c.op() == RowChange.Op.UPDATE).toList();
        Set<Integer> changed = new TreeSet<>();
        for (int i = 1; i <= n; i++) if (!equal(inserted.get(i), updated.get(i))) changed.add(i);
        Set<Integer> logged = updates.stream().map(u -> (int) (long) (Long) u.after()[0]).collect(Collectors.toCollection(TreeSet::new));
        assertThat(logged).as("rows the server logged as changed" + where).isEqualTo(changed);
        for (RowChange u : updates) {
            int key = (int) (long) (Long) u.before()[0];
            same(u.before()[1], inserted.get(key), "before image of id " + key + where);
            same(u.after()[1], updated.get(key), "after image of id " + key + where);
        }

        List<RowChange> deletes = changes.stream().filter(c -> c.op() == RowChange.Op.DELETE).toList();
        assertThat(deletes).as("deletes" + where).hasSize(n);
        for (RowChange d : deletes) {
            int key = (int) (long) (Long) d.before()[0];
            same(d.before()[1], updated.get(key), "delete image of id " + key + where);
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = text.createStatement()) {
            st.execute(sql);
        }
    }

    /** The server's own view of each stored value, as the Java value the decoder must produce. */
    private Map<Integer, Object> canonical(Spec spec, String table) throws SQLException {
        Map<Integer, Object> out = new HashMap<>();
        String expr = spec.canonical().replace("v", "`v`");
        try (PreparedStatement ps = binary.prepareStatement("SELECT id, " + expr + " FROM " + table + " ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Object o = rs.getObject(2);
                out.put(rs.getInt(1), o == null ? null : spec.expected().apply(o));
            }
        }
        return out;
    }

    private static void same(Object actual, Object expected, String what) {
        if (expected == null) {
            assertThat(actual).as(what).isNull();
            return;
        }
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.getClass()).as("Java type of " + what).isEqualTo(expected.getClass());
        if (expected instanceof byte[] e) {
            assertThat(HEX.formatHex((byte[]) actual)).as(what).isEqualTo(HEX.formatHex(e));
        } else if (expected instanceof BigDecimal e) {
            assertThat(((BigDecimal) actual).toPlainString()).as(what + " (scale too)").isEqualTo(e.toPlainString());
            assertThat(((BigDecimal) actual).scale()).as("scale of " + what).isEqualTo(e.scale());
        } else {
            assertThat(actual).as(what).isEqualTo(expected);
        }
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) return Arrays.equals(x, y);
        return Objects.equals(a, b);
    }

    // ---- the specs ---------------------------------------------------------------------------------------------

    Stream<Spec> specs() {
        List<Spec> s = new ArrayList<>();
        s.add(integer("tinyint", "TINYINT", -128, 127));
        s.add(integer("utinyint", "TINYINT UNSIGNED", 0, 255));
        s.add(integer("smallint", "SMALLINT", -32768, 32767));
        s.add(integer("usmallint", "SMALLINT UNSIGNED", 0, 65535));
        s.add(integer("mediumint", "MEDIUMINT", -8388608, 8388607));
        s.add(integer("umediumint", "MEDIUMINT UNSIGNED", 0, 16777215));
        s.add(integer("int", "INT", Integer.MIN_VALUE, Integer.MAX_VALUE));
        s.add(integer("uint", "INT UNSIGNED", 0, 4294967295L));
        s.add(integer("bigint", "BIGINT", Long.MIN_VALUE, Long.MAX_VALUE));
        s.add(unsignedBigint());
        for (int[] ps : new int[][] {{65, 30}, {10, 0}, {5, 5}, {1, 0}, {9, 4}, {18, 9}, {19, 0}, {20, 10}, {38, 2}, {65, 0}, {12, 11}}) {
            s.add(decimal(ps[0], ps[1], false));
        }
        s.add(decimal(12, 3, true));
        s.add(floats());
        s.add(doubles());
        for (int bits : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64}) s.add(bit(bits));
        s.add(date());
        for (int fsp = 0; fsp <= 6; fsp++) s.add(time(fsp));
        for (int fsp = 0; fsp <= 6; fsp++) s.add(datetime(fsp));
        for (int fsp = 0; fsp <= 6; fsp++) s.add(timestamp(fsp));
        s.add(year());

        s.add(utf8("char1", "CHAR(1) CHARACTER SET utf8mb4", 1));
        s.add(utf8("char63", "CHAR(63) CHARACTER SET utf8mb4", 63));
        s.add(utf8("char64", "CHAR(64) CHARACTER SET utf8mb4", 64));
        s.add(utf8("char255", "CHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", 255));
        s.add(utf8("varchar1", "VARCHAR(1) CHARACTER SET utf8mb4", 1));
        s.add(utf8("varchar63", "VARCHAR(63) CHARACTER SET utf8mb4", 63));
        s.add(utf8("varchar64", "VARCHAR(64) CHARACTER SET utf8mb4", 64));
        s.add(utf8("varchar500", "VARCHAR(500) CHARACTER SET utf8mb4", 500));
        s.add(utf8("utf8mb3", "VARCHAR(40) CHARACTER SET utf8mb3", -40));
        s.add(utf8("tinytext", "TINYTEXT CHARACTER SET utf8mb4", 63));
        s.add(utf8("text", "TEXT CHARACTER SET utf8mb4", 300, bigText(16000)));
        s.add(utf8("mediumtext", "MEDIUMTEXT CHARACTER SET utf8mb4", 300, bigText(70000)));
        s.add(utf8("longtext", "LONGTEXT CHARACTER SET utf8mb4", 300, bigText(70000)));
        s.add(latin1("latin1char", "CHAR(255) CHARACTER SET latin1", 255));
        s.add(latin1("latin1varchar", "VARCHAR(255) CHARACTER SET latin1", 255));
        s.add(latin1("latin1varchar256", "VARCHAR(256) CHARACTER SET latin1", 256));
        s.add(latin1("latin1text", "TEXT CHARACTER SET latin1", 400));

        s.add(bytes("binary1", "BINARY(1)", 1));
        s.add(bytes("binary16", "BINARY(16)", 16));
        s.add(bytes("binary255", "BINARY(255)", 255));
        s.add(bytes("charbinary", "CHAR(10) CHARACTER SET binary", 10));
        s.add(bytes("varbinary10", "VARBINARY(10)", 10));
        s.add(bytes("varbinary300", "VARBINARY(300)", 300));
        s.add(bytes("varcharbinary", "VARCHAR(20) CHARACTER SET binary", 20));
        s.add(bytes("tinyblob", "TINYBLOB", 255));
        s.add(bytes("blob", "BLOB", 600));
        s.add(bytes("mediumblob", "MEDIUMBLOB", 600, "X'" + "00AB".repeat(40000) + "'"));
        s.add(bytes("longblob", "LONGBLOB", 600, "X'" + "FF00".repeat(40000) + "'"));
        s.add(bytes("textbinary", "TEXT CHARACTER SET binary", 300));

        s.add(enumeration("enum", "CHARACTER SET utf8mb4", List.of("a", "B", "x y", "q't", "é", "😀", "tail ")));
        s.add(enumeration("enum300", "", IntStream.range(0, 300).mapToObj(i -> "m" + i).toList()));
        s.add(set("set", List.of("a", "b", "c d", "é", "😀")));
        s.add(set("set64", IntStream.range(0, 64).mapToObj(i -> "s" + i).toList()));
        s.add(json());
        s.add(geometry("geometry", "GEOMETRY", false));
        s.add(geometry("point", "POINT", true));
        return s.stream();
    }

    private static Spec integer(String name, String type, long min, long max) {
        BigInteger lo = BigInteger.valueOf(min);
        BigInteger span = BigInteger.valueOf(max).subtract(lo).add(BigInteger.ONE);
        List<String> edges = Stream.of(min, max, min + 1, max - 1, 0L, 1L, min < 0 ? -1L : 2L).distinct().map(String::valueOf).toList();
        return new Spec(name, type, r -> new BigInteger(span.bitLength() + 8, r).mod(span).add(lo).toString(), edges,
                "CAST(v AS CHAR)", o -> Long.parseLong((String) o));
    }

    private static Spec unsignedBigint() {
        BigInteger max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        List<String> edges = List.of("0", "1", max.toString(), max.subtract(BigInteger.ONE).toString(),
                "9223372036854775807", "9223372036854775808");
        return new Spec("ubigint", "BIGINT UNSIGNED", r -> new BigInteger(64, r).toString(), edges, "CAST(v AS CHAR)",
                o -> new BigInteger((String) o));
    }

    private static Spec decimal(int precision, int scale, boolean unsigned) {
        int intDigits = precision - scale;
        String nines = intDigits == 0 ? "0" : "9".repeat(intDigits);
        String frac = scale == 0 ? "" : "." + "9".repeat(scale);
        String unit = scale == 0 ? "1" : "0." + "0".repeat(scale - 1) + "1";
        List<String> edges = new ArrayList<>(List.of(nines + frac, "0", unit, intDigits > 0 ? "1" : unit));
        if (!unsigned) edges.addAll(List.of("-" + nines + frac, "-" + unit));
        Function<Random, String> gen = r -> {
            StringBuilder sb = new StringBuilder();
            if (!unsigned && r.nextBoolean()) sb.append('-');
            int ints = r.nextInt(intDigits + 1);
            if (ints == 0) sb.append('0');
            for (int i = 0; i < ints; i++) sb.append((char) ('0' + r.nextInt(10)));
            if (scale > 0) {
                sb.append('.');
                int fracs = r.nextInt(scale + 1);
                for (int i = 0; i < fracs; i++) sb.append((char) ('0' + r.nextInt(10)));
                if (fracs == 0) sb.append('0');
            }
            return sb.toString();
        };
        return new Spec("decimal_" + precision + "_" + scale + (unsigned ? "u" : ""),
                "DECIMAL(" + precision + "," + scale + ")" + (unsigned ? " UNSIGNED" : ""), gen, edges, "CAST(v AS CHAR)",
                o -> new BigDecimal((String) o));
    }

    private static Spec floats() {
        List<String> edges = Stream.of(0f, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL,
                0.1f, 3.4e-38f, 16777217f).map(f -> Double.toString((double) f)).collect(Collectors.toCollection(ArrayList::new));
        edges.add("-0e0");
        Function<Random, String> gen = r -> {
            float f;
            do {
                f = switch (r.nextInt(3)) {
                    case 0 -> Float.intBitsToFloat(r.nextInt());
                    case 1 -> (r.nextFloat() - 0.5f) * 1e6f;
                    default -> r.nextInt(2001) - 1000;
                };
            } while (!Float.isFinite(f));
            return Double.toString((double) f);
        };
        // read back over the binary protocol: the server sends the stored 4 bytes
        return new Spec("float", "FLOAT", gen, edges, "v", o -> o);
    }

    private static Spec doubles() {
        List<String> edges = Stream.of(0d, 1d, -1d, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 1e-300,
                (double) Long.MAX_VALUE, 2.2250738585072009E-308).map(d -> Double.toString(d)).collect(Collectors.toCollection(ArrayList::new));
        edges.add("-0e0");
        Function<Random, String> gen = r -> {
            double d;
            do {
                d = switch (r.nextInt(3)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> (r.nextDouble() - 0.5) * 1e12;
                    default -> r.nextInt(2001) - 1000;
                };
            } while (!Double.isFinite(d));
            return Double.toString(d);
        };
        return new Spec("double", "DOUBLE", gen, edges, "v", o -> o);
    }

    private static Spec bit(int bits) {
        BigInteger all = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        List<String> edges = Stream.of(BigInteger.ZERO, BigInteger.ONE, all, BigInteger.ONE.shiftLeft(bits - 1))
                .distinct().map(b -> "b'" + b.toString(2) + "'").toList();
        int len = (bits + 7) / 8;
        return new Spec("bit" + bits, "BIT(" + bits + ")", r -> "b'" + new BigInteger(bits, r).toString(2) + "'", edges,
                "HEX(v)", o -> {
                    byte[] raw = new BigInteger((String) o, 16).toByteArray();
                    byte[] out = new byte[len];
                    int copy = Math.min(len, raw.length);
                    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
                    return out;
                });
    }

    private static Spec date() {
        long lo = LocalDate.of(1, 1, 1).toEpochDay();
        long hi = LocalDate.of(9999, 12, 31).toEpochDay();
        List<String> edges = List.of("'1000-01-01'", "'9999-12-31'", "'0001-01-01'", "'1970-01-01'", "'2000-02-29'",
                "'0000-00-00'", "'2024-00-00'", "'2024-07-00'", "'0000-03-04'");
        return new Spec("date", "DATE", r -> "'" + LocalDate.ofEpochDay(lo + (long) (r.nextDouble() * (hi - lo))) + "'",
                edges, "CAST(v AS CHAR)", o -> {
                    String s = (String) o;
                    int y = Integer.parseInt(s.substring(0, 4)), m = Integer.parseInt(s.substring(5, 7)), d = Integer.parseInt(s.substring(8, 10));
                    return y == 0 || m == 0 || d == 0 ? s : LocalDate.of(y, m, d);
                });
    }

    private static int truncate(int micros, int fsp) {
        int unit = (int) Math.pow(10, 6 - fsp);
        return micros / unit * unit;
    }

    private static Spec time(int fsp) {
        List<String> edges = List.of("'00:00:00'", "'-00:00:01'", "'838:59:59'", "'-838:59:59'", "'24:00:00'",
                "'-00:00:00.5'", "'-00:00:00.000001'", "'-00:00:00.999999'", "'-12:34:56.789012'", "'00:00:00.999999'",
                "'-1:00:00.000001'", "'-838:59:58.990000'", "'100:00:00.000100'");
        long max = 838 * 3600L + 59 * 60 + 59;
        Function<Random, String> gen = r -> {
            long sec = (long) (r.nextDouble() * max);
            int micros = sec == max ? 0 : truncate(r.nextInt(1_000_000), fsp);
            if (r.nextInt(4) == 0) sec = r.nextInt(3);
            return String.format("'%s%d:%02d:%02d.%06d'", r.nextBoolean() ? "-" : "", sec / 3600, sec / 60 % 60, sec % 60, micros);
        };
        return new Spec("time" + fsp, fsp == 0 ? "TIME" : "TIME(" + fsp + ")", gen, edges, "CAST(v AS CHAR)", o -> {
            String s = (String) o;
            boolean neg = s.startsWith("-");
            if (neg) s = s.substring(1);
            String[] hms = s.split("[:.]");
            long micros = hms.length > 3 ? Long.parseLong((hms[3] + "000000").substring(0, 6)) : 0;
            Duration d = Duration.ofSeconds(Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]), micros * 1000);
            return neg ? d.negated() : d;
        });
    }

    private static Object parseDateTime(String s) {
        int y = Integer.parseInt(s.substring(0, 4)), m = Integer.parseInt(s.substring(5, 7)), d = Integer.parseInt(s.substring(8, 10));
        if (y == 0 || m == 0 || d == 0) return s;
        return LocalDateTime.parse(s.replace(' ', 'T'));
    }

    private static Spec datetime(int fsp) {
        List<String> edges = List.of("'0000-00-00 00:00:00'", "'1000-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'",
                "'2020-00-00 10:11:12.123456'", "'0001-01-01 00:00:00.000001'", "'2024-02-29 12:00:00.5'", "'1969-12-31 23:59:59.999999'");
        long lo = LocalDate.of(1, 1, 1).toEpochDay();
        long hi = LocalDate.of(9999, 12, 31).toEpochDay();
        Function<Random, String> gen = r -> {
            LocalDate day = LocalDate.ofEpochDay(lo + (long) (r.nextDouble() * (hi - lo)));
            return String.format("'%s %02d:%02d:%02d.%06d'", day, r.nextInt(24), r.nextInt(60), r.nextInt(60),
                    truncate(r.nextInt(1_000_000), fsp));
        };
        return new Spec("datetime" + fsp, fsp == 0 ? "DATETIME" : "DATETIME(" + fsp + ")", gen, edges, "CAST(v AS CHAR)",
                o -> parseDateTime((String) o));
    }

    private static Spec timestamp(int fsp) {
        List<String> edges = List.of("FROM_UNIXTIME(1)", "FROM_UNIXTIME(2147483647.999999)", "'0000-00-00 00:00:00'",
                "FROM_UNIXTIME(1000000000.5)", "FROM_UNIXTIME(86400.000001)", "FROM_UNIXTIME(1.999999)");
        Function<Random, String> gen = r -> String.format("FROM_UNIXTIME(%d.%06d)", 1 + (long) (r.nextDouble() * (Integer.MAX_VALUE - 1)),
                truncate(r.nextInt(1_000_000), fsp));
        return new Spec("timestamp" + fsp, fsp == 0 ? "TIMESTAMP" : "TIMESTAMP(" + fsp + ")", gen, edges,
                "IF(v = 0, CONCAT('Z', CAST(v AS CHAR)), CAST(UNIX_TIMESTAMP(v) AS CHAR))", o -> {
                    String s = (String) o;
                    if (s.startsWith("Z")) return s.substring(1);
                    BigDecimal sec = new BigDecimal(s);
                    return Instant.ofEpochSecond(sec.longValue(), sec.remainder(BigDecimal.ONE).movePointRight(9).longValue());
                });
    }

    private static Spec year() {
        return new Spec("year", "YEAR", r -> Integer.toString(1901 + r.nextInt(255)), List.of("1901", "2155", "0", "2000", "'1999'"),
                "CAST(v + 0 AS CHAR)", o -> Long.parseLong((String) o));
    }

    private static final int[] CODE_POINTS = {'a', 'z', 'A', '0', ' ', '\'', '\\', '"', '\n', '\t', 0, 'é', 'ß', 'ü', 'Ω',
            'ж', '中', '文', 0x00a0, 0x20ac, 0x1f600, 0x1f4a9, 0x10348};

    /** A random utf8mb4 string of up to {@code max} characters (a negative max: BMP only, for utf8mb3). */
    private static String randomText(Random r, int max) {
        boolean bmp = max < 0;
        int len = r.nextInt(Math.abs(max) + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int cp = r.nextInt(3) == 0 ? 'a' + r.nextInt(26) : CODE_POINTS[r.nextInt(CODE_POINTS.length)];
            if (bmp && cp > 0xffff) cp = 'x';
            sb.appendCodePoint(cp);
        }
        if (r.nextInt(5) == 0 && len > 1) sb.setCharAt(sb.length() - 1, ' '); // trailing space
        String s = sb.toString();
        return s.codePointCount(0, s.length()) > Math.abs(max) ? s.substring(0, s.offsetByCodePoints(0, Math.abs(max))) : s;
    }

    private static String bigText(int chars) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) sb.append("ab😀 é中");
        return sb.toString();
    }

    private static String utf8Literal(String s) {
        return "_utf8mb4 X'" + HEX.formatHex(s.getBytes(StandardCharsets.UTF_8)) + "'";
    }

    private static Object fromUtf8Hex(Object o) {
        return new String(HEX.parseHex((String) o), StandardCharsets.UTF_8);
    }

    private static Spec utf8(String name, String type, int maxChars, String... extraEdges) {
        List<String> edges = new ArrayList<>(List.of("''", utf8Literal(" "), utf8Literal(maxChars < 0 ? "é" : "😀"), utf8Literal("a  ")));
        for (String e : extraEdges) edges.add(utf8Literal(e));
        if (Math.abs(maxChars) > 1) edges.add(utf8Literal("x".repeat(Math.abs(maxChars))));
        if (maxChars > 1) edges.add(utf8Literal("😀".repeat(maxChars)));
        else if (maxChars == 1) edges.add(utf8Literal("é"));
        return new Spec(name, type, r -> utf8Literal(randomText(r, maxChars)), edges,
                "HEX(CONVERT(v USING utf8mb4))", DecoderVsServerTest::fromUtf8Hex);
    }

    /** Bytes MySQL's latin1 maps to C1 controls but Java's windows-1252 does not decode (see the regression test). */
    static final Set<Integer> CP1252_HOLES = Set.of(0x81, 0x8d, 0x8f, 0x90, 0x9d);

    private static Spec latin1(String name, String type, int maxBytes) {
        Function<Random, String> gen = r -> {
            byte[] b = new byte[r.nextInt(maxBytes + 1)];
            for (int i = 0; i < b.length; i++) {
                int v;
                do v = r.nextInt(3) == 0 ? 'a' + r.nextInt(26) : r.nextInt(256); while (CP1252_HOLES.contains(v));
                b[i] = (byte) v;
            }
            return b.length == 0 ? "''" : "_latin1 X'" + HEX.formatHex(b) + "'";
        };
        List<String> edges = List.of("''", "_latin1 X'80A0E9FF'", "_latin1 X'" + "E9".repeat(maxBytes) + "'", "_latin1 X'00'", "_latin1 X'4120'");
        return new Spec(name, type, gen, edges, "HEX(CONVERT(v USING utf8mb4))", DecoderVsServerTest::fromUtf8Hex);
    }

    private static Spec bytes(String name, String type, int maxBytes, String... extraEdges) {
        Function<Random, String> gen = r -> {
            byte[] b = new byte[r.nextInt(maxBytes + 1)];
            r.nextBytes(b);
            int zeros = Math.min(b.length, r.nextInt(4)); // trailing zero bytes: BINARY(n) drops them in the log
            for (int i = b.length - zeros; i < b.length; i++) b[i] = 0;
            return b.length == 0 ? "''" : "X'" + HEX.formatHex(b) + "'";
        };
        List<String> edges = new ArrayList<>(List.of("''", "X'00'", "X'" + "00".repeat(maxBytes) + "'", "X'" + "FF".repeat(maxBytes) + "'",
                "X'20'", maxBytes > 1 ? "X'4100'" : "X'41'"));
        edges.addAll(List.of(extraEdges));
        return new Spec(name, type, gen, edges, "HEX(v)", o -> HEX.parseHex((String) o));
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static Spec enumeration(String name, String charset, List<String> members) {
        String type = members.stream().map(DecoderVsServerTest::quote).collect(Collectors.joining(",", "ENUM(", ")")) + " " + charset;
        List<String> edges = List.of(quote(members.get(0)), quote(members.get(members.size() - 1)), "1", String.valueOf(members.size()));
        return new Spec(name, type.trim(), r -> quote(members.get(r.nextInt(members.size()))), edges,
                "HEX(CONVERT(v USING utf8mb4))", DecoderVsServerTest::fromUtf8Hex);
    }

    private static Spec set(String name, List<String> members) {
        String type = members.stream().map(DecoderVsServerTest::quote).collect(Collectors.joining(",", "SET(", ") CHARACTER SET utf8mb4"));
        Function<Random, String> gen = r -> quote(members.stream().filter(m -> r.nextInt(3) == 0).collect(Collectors.joining(",")));
        List<String> edges = List.of("''", quote(String.join(",", members)), quote(members.get(members.size() - 1)), "1");
        return new Spec(name, type, gen, edges, "HEX(CONVERT(v USING utf8mb4))", DecoderVsServerTest::fromUtf8Hex);
    }

    private static String randomJson(Random r, int depth) {
        int kind = depth > 2 ? 3 + r.nextInt(4) : r.nextInt(7);
        return switch (kind) {
            case 0, 1 -> IntStream.range(0, r.nextInt(4)).mapToObj(i -> "\"k" + i + randomText(r, 3).replace("\\", "").replace("\"", "")
                    .replace("\n", "").replace("\t", "").replace("\0", "") + "\": " + randomJson(r, depth + 1)).collect(Collectors.joining(", ", "{", "}"));
            case 2 -> IntStream.range(0, r.nextInt(4)).mapToObj(i -> randomJson(r, depth + 1)).collect(Collectors.joining(",", "[", "]"));
            case 3 -> Long.toString(r.nextLong() >> r.nextInt(64));
            case 4 -> Double.toString(r.nextDouble() * 1e6);
            case 5 -> "\"" + randomText(r, 8).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t")
                    .replace("\0", "\\u0000") + "\"";
            default -> List.of("true", "false", "null").get(r.nextInt(3));
        };
    }

    private static Spec json() {
        List<String> edges = List.of("'{}'", "'[]'", "'null'", "'\"\"'", quote("{\"a\": [1, 2.5, \"é😀\", null, true], \"b\": {\"c\": \"\\u0000\"}}"));
        return new Spec("json", "JSON", r -> utf8Literal(randomJson(r, 0)), edges, "HEX(CONVERT(v USING utf8mb4))",
                DecoderVsServerTest::fromUtf8Hex);
    }

    private static Spec geometry(String name, String type, boolean pointsOnly) {
        Function<Random, String> gen = r -> {
            Function<Random, String> xy = q -> (q.nextInt(20001) - 10000) / 100.0 + " " + (q.nextInt(20001) - 10000) / 100.0;
            int kind = pointsOnly ? 0 : r.nextInt(3);
            String wkt = switch (kind) {
                case 0 -> "POINT(" + xy.apply(r) + ")";
                case 1 -> "LINESTRING(" + xy.apply(r) + ", " + xy.apply(r) + ", " + xy.apply(r) + ")";
                default -> "POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))";
            };
            return "ST_GeomFromText('" + wkt + "'" + (r.nextBoolean() ? ", 4326" : "") + ")";
        };
        List<String> edges = List.of("ST_GeomFromText('POINT(0 0)')", "ST_GeomFromText('POINT(-1.5 1e300)', 3857)");
        return new Spec(name, type, gen, edges, "HEX(v)", o -> HEX.parseHex((String) o));
    }
}
