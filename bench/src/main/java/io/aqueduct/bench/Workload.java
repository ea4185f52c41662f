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
    /** Web-shop orders: values drawn from vocabularies and ranges as real ones are, not random characters. */
    static final String ORDERS = "orders";
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

    /** Created only by the benches that use it, so that the others' databases stay as they were. */
    static final String ORDERS_DDL = "CREATE TABLE bench.orders ("
            + "id BIGINT NOT NULL PRIMARY KEY, "
            + "customer_id INT NOT NULL, "
            + "status ENUM('pending','paid','shipped','delivered','cancelled','refunded') NOT NULL, "
            + "currency CHAR(3) NOT NULL, "
            + "total DECIMAL(12,2) NOT NULL, "
            + "items SMALLINT NOT NULL, "
            + "email VARCHAR(255) NOT NULL, "
            + "ship_city VARCHAR(64) NOT NULL, "
            + "ship_country CHAR(2) NOT NULL, "
            + "payment VARCHAR(16) NOT NULL, "
            + "coupon VARCHAR(16) NULL, "
            + "created_at DATETIME NOT NULL, "
            + "updated_at DATETIME NOT NULL, "
            + "note VARCHAR(255) NULL"
            + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

    private static final String[] FIRST_NAMES = {"anna", "ben", "carla", "david", "emma", "felix", "greta", "hugo", "ida",
        "jonas", "karin", "leon", "maria", "nils", "olga", "paul", "rosa", "sven", "tina", "uwe", "vera", "willem", "yara",
        "zoe", "amir", "chloe", "diego", "elena", "farid", "hana", "ivan", "julia", "kenji", "lucia", "mateo", "nora",
        "omar", "priya", "quentin", "sofia"};
    private static final String[] LAST_NAMES = {"schmidt", "mueller", "garcia", "rossi", "dubois", "nowak", "jansen",
        "silva", "kowalski", "novak", "berg", "larsen", "smith", "jones", "brown", "martin", "lopez", "wagner", "weber",
        "fischer", "meyer", "becker", "hoffmann", "costa", "ferrari", "moreau", "laurent", "petrov", "ivanova", "tanaka"};
    private static final String[] MAIL_DOMAINS = {"gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com",
        "web.de", "gmx.de", "icloud.com", "proton.me", "hotmail.com", "orange.fr", "libero.it"};
    private static final String[][] CITIES = {{"Berlin", "DE"}, {"Hamburg", "DE"}, {"Munich", "DE"}, {"Cologne", "DE"},
        {"Frankfurt", "DE"}, {"Vienna", "AT"}, {"Zurich", "CH"}, {"Paris", "FR"}, {"Lyon", "FR"}, {"Madrid", "ES"},
        {"Barcelona", "ES"}, {"Milan", "IT"}, {"Rome", "IT"}, {"Amsterdam", "NL"}, {"Rotterdam", "NL"}, {"Brussels", "BE"},
        {"Warsaw", "PL"}, {"Prague", "CZ"}, {"Copenhagen", "DK"}, {"Stockholm", "SE"}, {"Oslo", "NO"}, {"Helsinki", "FI"},
        {"Lisbon", "PT"}, {"Dublin", "IE"}, {"London", "GB"}, {"Manchester", "GB"}, {"New York", "US"}, {"Chicago", "US"},
        {"Toronto", "CA"}, {"Sydney", "AU"}};
    private static final String[] ORDER_STATUS = {"pending", "paid", "paid", "shipped", "shipped", "shipped", "delivered",
        "delivered", "delivered", "delivered", "cancelled", "refunded"};
    private static final String[] PAYMENTS = {"card", "card", "card", "paypal", "paypal", "klarna", "bank_transfer", "apple_pay"};
    private static final String[] COUPONS = {"WELCOME10", "SUMMER24", "FREESHIP", "BLACKFRIDAY", "VIP15", "SPRING5"};
    private static final String[] NOTES = {"Please leave the parcel with a neighbour", "Gift wrap, no invoice in the box",
        "Deliver after 5 pm", "Call before delivery", "Side entrance, second floor", "Leave at the front door"};
    private static final long ORDERS_EPOCH = 1_735_689_600L; // 2025-01-01

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
        return switch (table) {
            case NARROW -> narrowInsert(from, to);
            case WIDE -> wideInsert(from, to);
            case ORDERS -> ordersInsert(from, to);
            default -> throw new IllegalArgumentException("no such bench table: " + table);
        };
    }

    /**
     * Orders as a web shop writes them: a customer among 200,000, whose e-mail address is made of a first and last
     * name; a status, currency, payment method and city from short lists with realistic weights; a total in cents;
     * an order time that moves forward a few seconds per order; a coupon on one order in six, a note on one in ten.
     */
    static String ordersInsert(long from, long to) {
        SplittableRandom r = new SplittableRandom(from * 15485863 + 3);
        StringBuilder sb = new StringBuilder((int) (to - from) * 260 + 128).append("INSERT INTO bench.orders (id,customer_id,"
                + "status,currency,total,items,email,ship_city,ship_country,payment,coupon,created_at,updated_at,note) VALUES ");
        for (long id = from; id < to; id++) {
            if (id > from) sb.append(',');
            int customer = 1 + r.nextInt(200_000);
            // a customer's name and city follow from the customer, as they do in a real shop
            SplittableRandom c = new SplittableRandom(customer);
            String[] city = CITIES[c.nextInt(CITIES.length)];
            String currency = switch (city[1]) {
                case "US" -> "USD";
                case "GB" -> "GBP";
                case "CH" -> "CHF";
                case "CA" -> "CAD";
                case "AU" -> "AUD";
                // a third of these orders are paid in euros
                case "SE" -> r.nextInt(3) == 0 ? "EUR" : "SEK";
                case "NO" -> r.nextInt(3) == 0 ? "EUR" : "NOK";
                case "DK" -> r.nextInt(3) == 0 ? "EUR" : "DKK";
                case "PL" -> r.nextInt(3) == 0 ? "EUR" : "PLN";
                case "CZ" -> r.nextInt(3) == 0 ? "EUR" : "CZK";
                default -> "EUR";
            };
            long created = ORDERS_EPOCH + id * 3 + r.nextInt(3);
            sb.append('(').append(id).append(',').append(customer)
                    .append(",'").append(ORDER_STATUS[r.nextInt(ORDER_STATUS.length)]).append("','").append(currency).append("',")
                    .append(5 + r.nextInt(495)).append('.').append(pad(r.nextInt(100), 2))
                    .append(',').append(1 + r.nextInt(r.nextInt(4) == 0 ? 12 : 3))
                    .append(",'").append(FIRST_NAMES[c.nextInt(FIRST_NAMES.length)]).append('.')
                    .append(LAST_NAMES[c.nextInt(LAST_NAMES.length)]);
            if (c.nextBoolean()) sb.append(c.nextInt(100));
            sb.append('@').append(MAIL_DOMAINS[c.nextInt(MAIL_DOMAINS.length)]).append("','").append(city[0]).append("','")
                    .append(city[1]).append("','").append(PAYMENTS[r.nextInt(PAYMENTS.length)]).append("',")
                    .append(r.nextInt(6) == 0 ? "'" + COUPONS[r.nextInt(COUPONS.length)] + "'" : "NULL")
                    .append(",'").append(datetime(created)).append("','").append(datetime(created + r.nextInt(86_400 * 3)))
                    .append("',").append(r.nextInt(10) == 0 ? "'" + NOTES[r.nextInt(NOTES.length)] + "'" : "NULL").append(')');
        }
        return sb.toString();
    }

    /** yyyy-MM-dd HH:mm:ss, UTC. */
    private static String datetime(long epochSecond) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(epochSecond, 0, java.time.ZoneOffset.UTC);
        return t.getYear() + "-" + pad(t.getMonthValue(), 2) + "-" + pad(t.getDayOfMonth(), 2) + " " + pad(t.getHour(), 2) + ":"
                + pad(t.getMinute(), 2) + ":" + pad(t.getSecond(), 2);
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
        return datetime(r.nextLong(fromEpoch, toEpoch)) + "." + pad(r.nextInt(1_000_000), 6);
    }

    private static String pad(long v, int width) {
        String s = Long.toString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
