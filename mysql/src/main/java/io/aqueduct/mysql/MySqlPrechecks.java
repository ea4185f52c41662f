package io.aqueduct.mysql;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.precheck.Check;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a MySQL/MariaDB source or target must offer, checked before a job starts and by {@code aqueduct precheck}. */
public final class MySqlPrechecks {
    private MySqlPrechecks() {}

    /** Source checks; a failure to log in is a single FAIL with the fix. */
    public static List<Check> source(Endpoint e, TableFilter filter) {
        return source(e, filter, false);
    }

    /** @param copies whether the job copies the tables first (an initial snapshot) */
    public static List<Check> source(Endpoint e, TableFilter filter, boolean copies) {
        List<Check> out = new ArrayList<>();
        try (Connection c = MySqlConnections.open(e, null, "source")) {
            out.add(Check.ok("source login", e.user() + "@" + e.address() + ", " + variable(c, "version")));
            String logBin = variable(c, "log_bin");
            if (!"ON".equalsIgnoreCase(logBin) && !"1".equals(logBin)) {
                out.add(Check.fail("binary log", "log_bin is " + logBin,
                        "start the source with log-bin=mysql-bin (in [mysqld] of my.cnf) and restart it"));
            } else {
                out.add(Check.ok("binary log", "log_bin is ON"));
            }
            expect(out, c, "binlog_format", "ROW", true, "SET GLOBAL binlog_format=ROW and binlog_format=ROW in my.cnf (sessions started before keep their old format: reconnect them)");
            expect(out, c, "binlog_row_image", "FULL", true, "SET GLOBAL binlog_row_image=FULL and binlog_row_image=FULL in my.cnf");
            expect(out, c, "binlog_row_metadata", "FULL", false, "SET GLOBAL binlog_row_metadata=FULL and in my.cnf, so every event carries its own column names, keys and charsets (without it, rows are read with the current table definition)");
            String compress = optionalVariable(c, "log_bin_compress");
            if ("ON".equalsIgnoreCase(compress)) {
                out.add(Check.fail("binlog compression", "log_bin_compress is ON", "SET GLOBAL log_bin_compress=OFF (compressed row events are not read yet)"));
            }
            String trxCompress = optionalVariable(c, "binlog_transaction_compression");
            if ("ON".equalsIgnoreCase(trxCompress)) {
                out.add(Check.fail("binlog compression", "binlog_transaction_compression is ON", "SET GLOBAL binlog_transaction_compression=OFF"));
            }
            out.add(privileges(c, e));
            out.add(serverId(c, e));
            MySqlCatalog catalog = new MySqlCatalog(c);
            List<TableId> tables = catalog.tables(filter);
            if (tables.isEmpty()) {
                out.add(Check.warn("selected tables", "tables.include/exclude select no existing table",
                        "check the regexes (they match database.table, anchored, case-insensitive); new tables that match later are picked up"));
            } else {
                List<String> keyless = new ArrayList<>();
                for (TableId t : tables) {
                    TableSchema s = catalog.table(t);
                    if (s != null && !s.hasKey()) keyless.add(t.toString());
                }
                out.add(Check.ok("selected tables", tables.size() + " table(s), e.g. " + tables.get(0)));
                if (!keyless.isEmpty()) {
                    out.add(Check.warn("tables without a key", String.join(", ", keyless),
                            "add a primary key: keyless rows are matched on all columns and may repeat after a crash"));
                }
                if (copies) out.add(snapshot(c, tables, keyless));
            }
        } catch (ConfigException ex) {
            out.add(Check.fail("source login", ex.getMessage(), "see above"));
        } catch (SQLException ex) {
            out.add(Check.fail("source", ex.getMessage(), "check the source server and user"));
        }
        return out;
    }

    public static List<Check> target(Endpoint e) {
        List<Check> out = new ArrayList<>();
        try (Connection c = MySqlConnections.open(e, null, "target")) {
            out.add(Check.ok("target login", e.user() + "@" + e.address() + ", " + variable(c, "version")));
            String grants = grants(c);
            boolean ok = grants.contains("ALL PRIVILEGES ON *.*")
                    || List.of("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP").stream().allMatch(grants::contains);
            out.add(ok ? Check.ok("target privileges", "can read, write and change tables")
                    : Check.warn("target privileges", "grants: " + grants,
                    "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP ON <databases>.* TO '" + e.user() + "'"));
        } catch (ConfigException ex) {
            out.add(Check.fail("target login", ex.getMessage(), "see above"));
        } catch (SQLException ex) {
            out.add(Check.fail("target", ex.getMessage(), "check the target server and user"));
        }
        return out;
    }

    /** What the initial copy will read; tables without a key need MariaDB's snapshot position. */
    private static Check snapshot(Connection c, List<TableId> tables, List<String> keyless) throws SQLException {
        if (!keyless.isEmpty() && !variable(c, "version").toLowerCase(Locale.ROOT).contains("mariadb")) {
            return Check.fail("initial snapshot", "tables without a key (" + String.join(", ", keyless) + ") cannot be "
                    + "copied exactly from MySQL, which does not report a snapshot's binlog position",
                    "add a primary key to them, or exclude them and copy them yourself, or use mode: incremental");
        }
        long rows = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS "
                + "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'")) {
            java.util.Set<TableId> selected = new java.util.HashSet<>(tables);
            while (rs.next()) if (selected.contains(new TableId(rs.getString(1), rs.getString(2)))) rows += rs.getLong(3);
        }
        return Check.ok("initial snapshot", tables.size() + " table(s) to copy, about " + rows + " rows (the server's estimate)");
    }

    private static Check privileges(Connection c, Endpoint e) throws SQLException {
        String g = grants(c);
        boolean all = g.contains("ALL PRIVILEGES ON *.*");
        boolean repl = all || g.contains("REPLICATION SLAVE") || g.contains("REPLICATION REPLICA");
        boolean client = all || g.contains("REPLICATION CLIENT") || g.contains("BINLOG MONITOR") || g.contains("SUPER");
        boolean select = all || g.contains("SELECT");
        if (repl && client && select) return Check.ok("source privileges", "may read the binlog and the tables");
        return Check.fail("source privileges", "grants: " + g,
                "GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '" + e.user() + "'");
    }

    private static Check serverId(Connection c, Endpoint e) throws SQLException {
        long own = Long.parseLong(variable(c, "server_id"));
        if (own == e.serverId()) {
            return Check.fail("server-id", "the source itself has server_id " + own,
                    "give source.server-id a value no server or replica uses");
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SLAVE HOSTS")) {
            while (rs.next()) {
                if (rs.getLong(1) == e.serverId()) {
                    return Check.fail("server-id", "a connected replica already uses server-id " + e.serverId(),
                            "give source.server-id a value no server or replica uses (another Aqueduct job with the same id would be disconnected)");
                }
            }
        } catch (SQLException ignored) {
            // listing replicas needs REPLICATION MASTER ADMIN on MariaDB; the server itself refuses a clash anyway
        }
        return Check.ok("server-id", e.serverId() + " is not used by the source or a connected replica");
    }

    private static void expect(List<Check> out, Connection c, String name, String value, boolean required, String fix) throws SQLException {
        String v = optionalVariable(c, name);
        if (v == null) {
            out.add(Check.warn(name, "the server has no " + name + " setting", fix));
        } else if (v.equalsIgnoreCase(value)) {
            out.add(Check.ok(name, name + " is " + v));
        } else if (required) {
            out.add(Check.fail(name, name + " is " + v + ", needs " + value, fix));
        } else {
            out.add(Check.warn(name, name + " is " + v + ", should be " + value, fix));
        }
    }

    static String grants(Connection c) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
            while (rs.next()) sb.append(rs.getString(1)).append("; ");
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    static String variable(Connection c, String name) throws SQLException {
        String v = optionalVariable(c, name);
        return v == null ? "" : v;
    }

    static String optionalVariable(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            return rs.next() ? rs.getString(2) : null;
        }
    }
}
