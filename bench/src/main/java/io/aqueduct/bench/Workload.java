package io.aqueduct.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bench tables and their rows. Rows are a pure function of their id range, so the same INSERT text can be
 * produced again for the target's own INSERT rate (figure d).
 */
final class Workload {
    static final String DB = "bench";
    static final String NARROW = "sbtest1";
    static final String WIDE = "wide";
    static final int WIDE_COLUMNS = 17;

    static final List<String> DDL = List.of(
            "CREATE DATABASE IF NOT EXISTS bench",
            // sysbench oltp's table
            "CREATE TABLE bench.sbtest1 (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, "
                    + "pad CHAR(60) NOT NULL) ENGINE=InnoDB",
            "CREATE TABLE bench.wide ("
                    + "id BIGINT NOT NULL PRIMARY KEY, "
                    + "u BIGINT UNSIGNED NOT NULL, "
                    + "amount DECIMAL(20,6) NOT NULL, "
                    + "ratio DOUBLE NULL, "
                    + "created DATETIME(6) NOT NULL, "
                    + "updated TIMESTAMP(6) NULL DEFAULT NULL, "
                    + "name VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL, "
                    + "note TEXT NULL, "
                    + "payload VARBINARY(64) NULL, "
                    + "status ENUM('new','paid','shipped','cancelled') NOT NULL, "
                    + "doc JSON NULL, "
                    + "elapsed TIME(6) NULL, "
                    + "day DATE NULL, "
                    + "qty INT NOT NULL, "
                    + "small SMALLINT NULL, "
                    + "flag TINYINT NOT NULL, "
                    + "code CHAR(8) NOT NULL"
                    + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");

    private static final String[] WORDS = {"Zoë", "Müller", "Łukasz", "Søren", "François", "東京", "Ærø", "naïve",
        "日本語", "Ελλάδα", "Привет", "🚀", "café", "Ångström", "plain", "ascii", "order", "customer", "line", "Straße"};
    private static final String[] STATUS = {"new", "paid", "shipped", "cancelled"};
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Workload() {}

    /** Creates the database and both tables (the target gets them the same way: they predate the start position). */
    static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : DDL) st.execute(sql);
        }
    }

    /** Inserts ids 1..count into the given table as {@code txRows}-row INSERTs, one transaction each. */
    static void load(Connection c, String table, long count, int txRows) throws SQLException {
        boolean autocommit = c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (long id = 1; id <= count; id += txRows) {
                st.executeUpdate(insert(table, id, Math.min(id + txRows, count + 1)));
                c.commit();
            }
        } finally {
            c.setAutoCommit(autocommit);
        }
    }

    /** One multi-row INSERT of ids {@code [from, to)} into the given table. */
    static String insert(String table, long from, long to) {
        return table.equals(NARROW) ? narrowInsert(from, to) : wideInsert(from, to);
    }

    /** sysbench-like rows: k random, c = 10 groups of 11 digits, pad = 5 groups. */
    static String narrowInsert(long from, long to) {
        SplittableRandom r = new SplittableRandom(from * 7919 + 1);
        StringBuilder sb = new StringBuilder((int) (to - from) * 200 + 64).append("INSERT INTO bench.sbtest1 (id,k,c,pad) VALUES ");
        for (long id = from; id < to; id++) {
            if (id > from) sb.append(',');
            sb.append('(').append(id).append(',').append(r.nextInt(1, 1_000_000)).append(",'");
            digitGroups(sb, r, 10);
            sb.append("','");
            digitGroups(sb, r, 5);
            sb.append("')");
        }
        return sb.toString();
    }

    private static void digitGroups(StringBuilder sb, SplittableRandom r, int groups) {
        for (int g = 0; g < groups; g++) {
            if (g > 0) sb.append('-');
            for (int i = 0; i < 11; i++) sb.append((char) ('0' + r.nextInt(10)));
        }
    }

    /** Rows of many types, with NULLs, non-ASCII text, unsigned values above 2^63, negative and long TIMEs. */
    static String wideInsert(long from, long to) {
        SplittableRandom r = new SplittableRandom(from * 104729 + 2);
        StringBuilder sb = new StringBuilder((int) (to - from) * 700 + 128).append("INSERT INTO bench.wide (id,u,amount,ratio,"
                + "created,updated,name,note,payload,status,doc,elapsed,day,qty,small,flag,code) VALUES ");
        for (long id = from; id < to; id++) {
            if (id > from) sb.append(',');
            sb.append('(').append(id);
            sb.append(',').append(Long.toUnsignedString(r.nextLong()));
            sb.append(',').append(r.nextBoolean() ? "-" : "").append(r.nextLong(100_000_000_000_000L)).append('.')
                    .append(pad(r.nextInt(1_000_000), 6));
            sb.append(',').append(r.nextInt(10) == 0 ? "NULL" : Double.toString((r.nextDouble() - 0.5) * 2e6));
            sb.append(",'").append(datetime(r, 946_684_800L, 1_924_905_600L)).append('\'');
            sb.append(',').append(r.nextInt(10) == 0 ? "NULL" : "'" + datetime(r, 31_536_000L, 2_114_380_800L) + "'");
            sb.append(",'");
            int words = r.nextInt(2, 6);
            for (int w = 0; w < words; w++) sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
            sb.append('#').append(id).append('\'');
            if (r.nextInt(5) == 0) {
                sb.append(",NULL");
            } else {
                sb.append(",'");
                int len = r.nextInt(50, 400);
                int start = sb.length();
                while (sb.length() - start < len) sb.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(4) == 0 ? ", " : " ");
                sb.append('\'');
            }
            if (r.nextInt(4) == 0) {
                sb.append(",NULL");
            } else {
                sb.append(",X'");
                int n = r.nextInt(1, 65);
                for (int i = 0; i < n; i++) {
                    int b = r.nextInt(256);
                    sb.append(HEX[b >> 4]).append(HEX[b & 15]);
                }
                sb.append('\'');
            }
            sb.append(",'").append(STATUS[r.nextInt(STATUS.length)]).append('\'');
            if (r.nextInt(10) == 0) {
                sb.append(",NULL");
            } else {
                sb.append(",'{\"id\": ").append(id).append(", \"tags\": [\"").append(WORDS[r.nextInt(WORDS.length)])
                        .append("\", \"x\"], \"price\": ").append(r.nextInt(100_000)).append('.').append(pad(r.nextInt(100), 2))
                        .append(", \"ok\": ").append(r.nextBoolean()).append(", \"nested\": {\"n\": ").append(r.nextInt())
                        .append("}}'");
            }
            if (r.nextInt(10) == 0) {
                sb.append(",NULL");
            } else {
                long seconds = r.nextLong(-838L * 3600 + 1, 838L * 3600);
                long abs = Math.abs(seconds);
                sb.append(",'").append(seconds < 0 ? "-" : "").append(abs / 3600).append(':').append(pad(abs / 60 % 60, 2))
                        .append(':').append(pad(abs % 60, 2)).append('.').append(pad(r.nextInt(1_000_000), 6)).append('\'');
            }
            sb.append(',').append(r.nextInt(10) == 0 ? "NULL" : "'" + datetime(r, -2_208_988_800L, 4_102_444_800L).substring(0, 10) + "'");
            sb.append(',').append(r.nextInt());
            sb.append(',').append(r.nextInt(10) == 0 ? "NULL" : Integer.toString(r.nextInt(-32768, 32768)));
            sb.append(',').append(r.nextInt(2));
            sb.append(",'");
            for (int i = 0; i < 8; i++) sb.append((char) ('A' + r.nextInt(26)));
            sb.append("')");
        }
        return sb.toString();
    }

    /** yyyy-MM-dd HH:mm:ss.ffffff, UTC, seconds drawn from [fromEpoch, toEpoch). */
    private static String datetime(SplittableRandom r, long fromEpoch, long toEpoch) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(r.nextLong(fromEpoch, toEpoch), 0, java.time.ZoneOffset.UTC);
        return t.getYear() + "-" + pad(t.getMonthValue(), 2) + "-" + pad(t.getDayOfMonth(), 2) + " " + pad(t.getHour(), 2) + ":"
                + pad(t.getMinute(), 2) + ":" + pad(t.getSecond(), 2) + "." + pad(r.nextInt(1_000_000), 6);
    }

    private static String pad(long v, int width) {
        String s = Long.toString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
