package io.aqueduct.postgres;

import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies MySQL/MariaDB row changes to PostgreSQL. Each source database becomes a schema of {@code target.database};
 * tables are created and altered to follow the source's shape (see TYPE-MAPPING.md).
 *
 * <p>Values whose PostgreSQL type has no JDBC counterpart (bit, interval, jsonb) are bound as untyped text
 * ({@link Types#OTHER}), so the server takes the column's type. That way they work in any statement, including the
 * ones {@link io.aqueduct.core.apply.JdbcSink} builds itself, without casts in the SQL.
 */
public final class PostgresDialect implements SqlDialect {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDialect.class);
    /** One advisory lock for all of Aqueduct's DDL in a database: shape changes are rare, and schemas are shared. */
    private static final long DDL_LOCK = 0x6171756564756374L; // "aqueduct"
    private static final int NAME_BYTES = 63; // PostgreSQL silently truncates longer identifiers

    private final Endpoint target;
    private final PostgresBulkLoad bulk = new PostgresBulkLoad(this);
    private final AtomicBoolean replicaRoleReported = new AtomicBoolean();
    private final Set<String> zeroDateWarned = ConcurrentHashMap.newKeySet();
    /** Which table a column belongs to, for messages from bind(), which only sees the column. */
    private final Map<Column, TableId> tableOf = Collections.synchronizedMap(new IdentityHashMap<>());

    public PostgresDialect(Endpoint target) {
        this.target = target;
    }

    // ---- connection ---------------------------------------------------------------------------------------------

    @Override
    public Connection connect() throws SQLException {
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        String url = "jdbc:postgresql://" + host + ":" + target.port() + "/"
                + URLEncoder.encode(target.database(), StandardCharsets.UTF_8);
        Properties p = new Properties();
        p.setProperty("user", target.user());
        if (target.password() != null) p.setProperty("password", target.password());
        p.setProperty("ApplicationName", "aqueduct");
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            failOnUserError(e);
            throw e;
        }
    }

    /** Throws a ConfigException for failures the user must fix; returns for others, which may pass on retry. */
    private void failOnUserError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "PostgreSQL at " + target.address();
        if (state.equals("28P01") || state.equals("28000")) {
            throw new ConfigException(where + " refused the login of user '" + target.user() + "' (" + e.getMessage()
                    + "): check target.user and target.password, and that pg_hba.conf lets this user connect from "
                    + "this host.", e);
        }
        if (state.equals("3D000")) {
            throw new ConfigException(where + " has no database '" + target.database() + "': create it with CREATE "
                    + "DATABASE " + quote(target.database()) + " or fix target.database.", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                throw new ConfigException("Cannot resolve the host name '" + target.host() + "' of target.host: "
                        + "check target.host.", e);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                throw new ConfigException("Cannot connect to PostgreSQL: nothing listens on " + target.address()
                        + " (" + t.getMessage() + "). Check target.host and target.port, and that PostgreSQL is "
                        + "running and listens on that address (listen_addresses).", e, true);
            }
        }
    }

    @Override
    public void prepareSession(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            // committed at once: a SET inside a transaction that is later rolled back is undone
            st.execute("SET TIME ZONE 'UTC'");
            c.commit();
            try {
                // foreign keys on the target would trip over the order lanes apply tables in; the source checked them
                st.execute("SET session_replication_role = replica");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                if (replicaRoleReported.compareAndSet(false, true)) {
                    LOG.info("Cannot set session_replication_role = replica ({}), so foreign keys and triggers on "
                            + "target tables stay active and may reject rows that other lanes have not written yet. "
                            + "Tables Aqueduct creates have no foreign keys; for others, connect as a superuser or "
                            + "GRANT SET ON PARAMETER session_replication_role TO {}.", e.getMessage(), target.user());
                }
            }
        }
    }

    @Override
    public boolean isTransient(SQLException e) {
        String s = e.getSQLState();
        if (s == null) return false;
        return s.startsWith("08") || s.startsWith("40") || s.equals("57P01") || s.equals("57P02")
                || s.equals("57P03") || s.equals("53300");
    }

    @Override
    public int maxParameters() {
        return 32000;
    }

    // ---- statements ---------------------------------------------------------------------------------------------

    @Override
    public String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String upsert(TableSchema t, int[] columns, int rows) {
        return t.hasKey() ? insert(t, columns, rows) + onConflict(t, columns) : insert(t, columns, rows);
    }

    @Override
    public boolean upsertInBulk(Connection c, TableSchema t, int[] columns, List<Object[]> rows) throws SQLException {
        return bulk.upsert(c, t, rows); // every column: PostgreSQL's are all written (the default written)
    }

    /** What makes an INSERT of the given columns an upsert by the table's key. */
    String onConflict(TableSchema t, int[] columns) {
        StringBuilder sb = new StringBuilder(" ON CONFLICT (");
        for (int i = 0; i < t.keyColumns().size(); i++) sb.append(i == 0 ? "" : ",").append(quote(t.keyColumns().get(i)));
        sb.append(") DO ");
        String sep = "UPDATE SET ";
        for (int i : columns) {
            Column c = t.columns().get(i);
            if (t.keyColumns().contains(c.name())) continue;
            sb.append(sep).append(quote(c.name())).append(" = EXCLUDED.").append(quote(c.name()));
            sep = ", ";
        }
        if (sep.startsWith("UPDATE")) sb.append("NOTHING");
        return sb.toString();
    }

    @Override
    public String nullSafeEquals(String quotedColumn) {
        return quotedColumn + " IS NOT DISTINCT FROM ?";
    }

    /** PostgreSQL has no DELETE/UPDATE ... LIMIT; the row's physical address picks exactly one of equal rows. */
    private String oneMatching(TableSchema t, int[] columns) {
        StringBuilder sb = new StringBuilder("ctid = (SELECT ctid FROM ").append(table(t.id())).append(" WHERE ");
        for (int i = 0; i < columns.length; i++) {
            sb.append(i == 0 ? "" : " AND ").append(nullSafeEquals(quote(t.columns().get(columns[i]).name())));
        }
        return sb.append(" LIMIT 1)").toString();
    }

    @Override
    public String deleteOneMatching(TableSchema t, int[] columns) {
        return "DELETE FROM " + table(t.id()) + " WHERE " + oneMatching(t, columns);
    }

    @Override
    public String updateOneMatching(TableSchema t, int[] columns) {
        StringBuilder sb = new StringBuilder("UPDATE ").append(table(t.id())).append(" SET ");
        for (int i = 0; i < columns.length; i++) sb.append(i == 0 ? "" : ", ").append(quote(t.columns().get(columns[i]).name())).append(" = ?");
        return sb.append(" WHERE ").append(oneMatching(t, columns)).toString();
    }

    // ---- values -------------------------------------------------------------------------------------------------

    @Override
    public void bind(PreparedStatement ps, int i, Column col, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(i, nullType(col));
        } else if (v instanceof Long l) {
            ps.setLong(i, l);
        } else if (v instanceof BigInteger b) {
            ps.setBigDecimal(i, new BigDecimal(b));
        } else if (v instanceof BigDecimal d) {
            ps.setBigDecimal(i, d);
        } else if (v instanceof Float f) {
            ps.setFloat(i, f);
        } else if (v instanceof Double d) {
            ps.setDouble(i, d);
        } else if (v instanceof String s) {
            bindString(ps, i, col, s);
        } else if (v instanceof byte[] b) {
            if (col.baseType().equals("bit")) ps.setObject(i, bits(b, col), Types.OTHER);
            else ps.setBytes(i, b);
        } else if (v instanceof LocalDate d) {
            ps.setObject(i, d);
        } else if (v instanceof LocalDateTime d) {
            ps.setObject(i, d);
        } else if (v instanceof Instant t) {
            ps.setObject(i, t.atOffset(ZoneOffset.UTC));
        } else if (v instanceof Duration d) {
            ps.setObject(i, Values.timeText(d), Types.OTHER); // hours stay hours (838:59:59), not days
        } else {
            ps.setObject(i, v);
        }
    }

    private void bindString(PreparedStatement ps, int i, Column col, String s) throws SQLException {
        if (storable(col, s) == null) ps.setNull(i, nullType(col));
        else if (col.baseType().equals("json")) ps.setObject(i, s, Types.OTHER);
        else ps.setString(i, s);
    }

    /**
     * A string value as PostgreSQL can hold it: null for a MySQL zero or partial date (with a warning, once per
     * column), a failure for text with U+0000, else the value itself.
     */
    String storable(Column col, String s) throws SQLException {
        String base = col.baseType();
        if (base.equals("date") || base.equals("datetime") || base.equals("timestamp")) {
            if (zeroDateWarned.add(tableName(col) + "." + col.name())) {
                LOG.warn("{} column {} holds the MySQL zero or partial date '{}', which PostgreSQL cannot store: it is "
                        + "written as NULL (this warning is logged once per column).", tableName(col), col.name(), s);
            }
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            throw new SQLException("Table " + tableName(col) + " column " + col.name() + ": a value contains the "
                    + "character U+0000, which PostgreSQL text cannot store. Remove it at the source, or leave the "
                    + "column out of the replication.", "22021");
        }
        return s;
    }

    private String tableName(Column col) {
        TableId t = tableOf.get(col);
        return t == null ? "(unknown table)" : t.toString();
    }

    /** The SQL type of a NULL, matching how non-null values of the column are bound. */
    private static int nullType(Column col) {
        return switch (col.baseType()) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "year" -> Types.BIGINT;
            case "bigint" -> col.unsigned() || unsigned(col) ? Types.NUMERIC : Types.BIGINT;
            case "decimal", "numeric" -> Types.NUMERIC;
            case "float" -> Types.REAL;
            case "double", "real" -> Types.DOUBLE;
            case "date" -> Types.DATE;
            case "datetime" -> Types.TIMESTAMP;
            case "timestamp" -> Types.TIMESTAMP_WITH_TIMEZONE;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> Types.BINARY;
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> Types.VARCHAR;
            default -> Types.OTHER; // bit, time, json, geometry and unknown types: the server infers the column's type
        };
    }

    /** A BIT column's value as the text form of its bit(n). */
    static String bits(byte[] b, Column col) {
        return bits(b, bitCount(col));
    }

    /** The low {@code n} bits of a big-endian value as '0'/'1' characters, the text form of bit(n). */
    static String bits(byte[] b, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int bit = n - 1; bit >= 0; bit--) {
            int at = b.length - 1 - bit / 8;
            sb.append(at >= 0 && (b[at] >> (bit % 8) & 1) == 1 ? '1' : '0');
        }
        return sb.toString();
    }

    // ---- type mapping -------------------------------------------------------------------------------------------

    /** The PostgreSQL type for a source column, spelled as format_type() prints it so that it can be compared. */
    static String pgType(Column c) {
        int[] p = typeParams(c.typeName());
        boolean unsigned = c.unsigned() || unsigned(c);
        return switch (c.baseType()) {
            case "tinyint", "bool", "boolean" -> "smallint";
            case "smallint" -> unsigned ? "integer" : "smallint";
            case "mediumint" -> "integer";
            case "int", "integer" -> unsigned ? "bigint" : "integer";
            case "bigint" -> unsigned ? "numeric(20,0)" : "bigint";
            case "decimal", "numeric" -> {
                int precision = p.length > 0 ? p[0] : c.length();
                int scale = p.length > 1 ? p[1] : p.length == 1 ? 0 : c.scale();
                yield precision > 0 ? "numeric(" + precision + "," + scale + ")" : "numeric";
            }
            case "float" -> "real";
            case "double", "real" -> "double precision";
            case "bit" -> "bit(" + bitCount(c) + ")";
            case "date" -> "date";
            case "datetime" -> "timestamp(" + fsp(c, p) + ") without time zone";
            case "timestamp" -> "timestamp(" + fsp(c, p) + ") with time zone";
            case "time" -> "interval";
            case "year" -> "smallint";
            case "char", "varchar" -> {
                int n = p.length > 0 ? p[0] : c.length();
                yield n > 0 ? "character varying(" + n + ")" : "character varying";
            }
            case "tinytext", "text", "mediumtext", "longtext", "enum", "set" -> "text";
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> "bytea";
            case "json" -> "jsonb";
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                    "geometrycollection", "geomcollection" -> "bytea";
            default -> switch (c.jdbcType()) {
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> "bytea";
                default -> "text";
            };
        };
    }

    private static boolean unsigned(Column c) {
        String t = c.typeName().toLowerCase(Locale.ROOT);
        return t.contains("unsigned") || t.contains("zerofill");
    }

    private static int bitCount(Column c) {
        int[] p = typeParams(c.typeName());
        int n = p.length > 0 ? p[0] : c.length();
        return n > 0 ? n : 1;
    }

    private static int fsp(Column c, int[] p) {
        return Math.max(0, Math.min(6, p.length > 0 ? p[0] : c.scale()));
    }

    /** The numbers in the type's parentheses: {@code decimal(65,30)} → [65, 30]; none for enum and set. */
    private static int[] typeParams(String typeName) {
        int open = typeName.indexOf('(');
        int close = typeName.indexOf(')', open + 1);
        if (open < 0 || close < 0) return new int[0];
        try {
            return Arrays.stream(typeName.substring(open + 1, close).split(",")).map(String::trim)
                    .mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            return new int[0];
        }
    }

    /**
     * Zero dates become NULL, so date columns accept NULL whatever the source says; key columns stay NOT NULL
     * (the primary key requires it, and ON CONFLICT does not match NULLs).
     */
    private static boolean notNull(TableSchema t, Column c) {
        if (t.keyColumns().contains(c.name())) return true;
        String base = c.baseType();
        return !c.nullable() && !base.equals("date") && !base.equals("datetime") && !base.equals("timestamp");
    }

    // ---- tables -------------------------------------------------------------------------------------------------

    @Override
    public void ensureTable(Connection c, TableSchema t) throws SQLException {
        for (Column col : t.columns()) tableOf.put(col, t.id());
        if (changesNeeded(c, t).isEmpty()) return;
        // Commits what the lane has written so far: waiting for the DDL lock while holding row locks would deadlock
        // with a lane that holds the DDL lock and waits to alter a table this lane wrote to.
        c.commit();
        // Check again under the lock: another lane (or another Aqueduct) may have made the change meanwhile.
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")");
            List<String> changes = changesNeeded(c, t);
            if (!changes.isEmpty()) LOG.info("Following the source's shape of {}: {}", t.id(), String.join("; ", changes));
            for (String ddl : changes) {
                Savepoint sp = c.setSavepoint();
                try {
                    st.execute(ddl);
                    c.releaseSavepoint(sp);
                } catch (SQLException e) {
                    if (!alreadyExists(e)) {
                        throw new SQLException("Cannot make " + t.id() + " follow the source's shape with " + ddl
                                + ": " + e.getMessage(), e.getSQLState(), e);
                    }
                    c.rollback(sp);
                }
            }
        }
        c.commit(); // releases the DDL lock and the table locks the DDL took
    }

    /** Duplicate schema, table, column or object: made by someone not using the lock, such as a person. */
    private static boolean alreadyExists(SQLException e) {
        String s = String.valueOf(e.getSQLState());
        return s.equals("42P06") || s.equals("42P07") || s.equals("42701") || s.equals("42710");
    }

    private record TargetColumn(String type, boolean notNull, boolean inPrimaryKey) {}

    /** The DDL that would make the target table take rows of this shape; empty when it already does. */
    public List<String> changesNeeded(Connection c, TableSchema t) throws SQLException {
        String table = table(t.id());
        Map<String, TargetColumn> existing = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
                + "a.attnotnull, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary "
                + "AND a.attnum = ANY (i.indkey)) FROM pg_attribute a WHERE a.attrelid = to_regclass(?) "
                + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) existing.put(rs.getString(1), new TargetColumn(rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)));
            }
        }
        if (existing.isEmpty()) return List.of("CREATE SCHEMA IF NOT EXISTS " + quote(t.id().schema()), createTable(t));

        List<String> ddl = new ArrayList<>();
        Set<String> wanted = new HashSet<>();
        for (Column col : t.columns()) {
            String name = pgName(col.name());
            wanted.add(name);
            TargetColumn have = existing.get(name);
            String q = quote(col.name());
            String type = pgType(col);
            if (have == null) {
                // nullable: rows already in the table get NULL (the source's backfill value is not in the binlog)
                ddl.add("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + q + " " + type);
                continue;
            }
            if (!covers(have.type(), type)) {
                ddl.add("ALTER TABLE " + table + " ALTER COLUMN " + q + " TYPE " + type + " USING " + q + "::" + type);
            }
            if (have.notNull() && !notNull(t, col) && !have.inPrimaryKey()) {
                ddl.add("ALTER TABLE " + table + " ALTER COLUMN " + q + " DROP NOT NULL");
            }
        }
        for (String name : existing.keySet()) {
            if (!wanted.contains(name)) ddl.add("ALTER TABLE " + table + " DROP COLUMN IF EXISTS " + quote(name));
        }
        if (t.hasKey() && !hasUniqueIndex(c, table, t.keyColumns())) {
            ddl.add("CREATE UNIQUE INDEX ON " + table + " (" + String.join(", ", t.keyColumns().stream().map(this::quote).toList()) + ")");
        }
        return ddl;
    }

    /**
     * Whether a target column of type {@code have} holds every value of {@code want} as is. Text columns are never
     * narrowed: that would rewrite the table, and shapes built from different source metadata may differ in length.
     */
    static boolean covers(String have, String want) {
        if (have.equals(want)) return true;
        String varchar = "character varying";
        if (!want.startsWith(varchar)) return false;
        if (have.equals("text") || have.equals(varchar)) return true;
        if (!have.startsWith(varchar + "(") || want.equals(varchar)) return false;
        return typeParams(have)[0] >= typeParams(want)[0];
    }

    /**
     * The statements that create the table (with its schema, key and the given secondary indexes) as
     * {@link #ensureTable} would, for {@code aqueduct schema}. Index names are prefixed with the table's, because
     * PostgreSQL index names are unique per schema while MySQL's are per table.
     */
    public List<String> createStatements(TableSchema t, List<io.aqueduct.core.model.Index> indexes) {
        List<String> out = new ArrayList<>(List.of("CREATE SCHEMA IF NOT EXISTS " + quote(t.id().schema()), createTable(t)));
        for (io.aqueduct.core.model.Index ix : indexes) {
            out.add("CREATE " + (ix.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " + quote(t.id().table() + "_" + ix.name())
                    + " ON " + table(t.id()) + " (" + String.join(", ", ix.columns().stream().map(this::quote).toList()) + ")");
        }
        return out;
    }

    private String createTable(TableSchema t) {
        StringBuilder sb = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table(t.id())).append(" (");
        for (int i = 0; i < t.columns().size(); i++) {
            Column col = t.columns().get(i);
            sb.append(i == 0 ? "" : ", ").append(quote(col.name())).append(' ').append(pgType(col));
            if (notNull(t, col)) sb.append(" NOT NULL");
        }
        if (t.hasKey()) {
            sb.append(", ").append(t.keyKind() == TableSchema.KeyKind.PRIMARY ? "PRIMARY KEY (" : "UNIQUE (")
                    .append(String.join(", ", t.keyColumns().stream().map(this::quote).toList())).append(')');
        }
        return sb.append(')').toString();
    }

    /** Whether ON CONFLICT (keys) finds an index: unique, immediate, not partial, on exactly these columns. */
    private boolean hasUniqueIndex(Connection c, String table, List<String> keys) throws SQLException {
        Set<String> want = new HashSet<>();
        for (String k : keys) want.add(pgName(k));
        try (PreparedStatement ps = c.prepareStatement("SELECT array(SELECT a.attname::text FROM pg_attribute a "
                + "WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)), i.indnatts FROM pg_index i "
                + "WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indimmediate AND i.indpred IS NULL "
                + "AND i.indexprs IS NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] names = (Object[]) rs.getArray(1).getArray();
                    if (rs.getInt(2) == want.size() && new HashSet<>(Arrays.asList(names)).equals(want)) return true;
                }
            }
        }
        return false;
    }

    /** The name PostgreSQL stores for an identifier: at most 63 bytes, cut at a character boundary. */
    static String pgName(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= NAME_BYTES) return name;
        int end = 0;
        int bytes = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > NAME_BYTES) break;
            bytes += len;
            end += Character.charCount(cp);
        }
        return name.substring(0, end);
    }

    // ---- DDL ----------------------------------------------------------------------------------------------------

    /**
     * Tables follow the source by shape (see {@link #ensureTable}), so CREATE and ALTER are ignored. What rows cannot
     * show is followed here: TRUNCATE, DROP TABLE, and a rename when the source reports the new name.
     */
    @Override
    public void applyDdl(Connection c, Ddl ddl) throws SQLException {
        if (ddl.table() == null) return;
        String sql = statementStart(ddl.sql());
        String table = table(ddl.table());
        try (Statement st = c.createStatement()) {
            if (sql.startsWith("TRUNCATE ")) {
                if (exists(c, ddl.table())) st.execute("TRUNCATE TABLE " + table);
            } else if (sql.startsWith("DROP TABLE ")) {
                st.execute("DROP TABLE IF EXISTS " + table);
            } else if (ddl.newTable() != null && !ddl.newTable().id().equals(ddl.table())
                    && exists(c, ddl.table()) && !exists(c, ddl.newTable().id())) {
                TableId to = ddl.newTable().id();
                LOG.info("Following the rename of {} to {}", ddl.table(), to);
                if (!to.schema().equals(ddl.table().schema())) {
                    st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(to.schema()));
                    st.execute("ALTER TABLE " + table + " SET SCHEMA " + quote(to.schema()));
                    table = quote(to.schema()) + "." + quote(ddl.table().table());
                }
                if (!to.table().equals(ddl.table().table())) st.execute("ALTER TABLE " + table + " RENAME TO " + quote(to.table()));
            }
        }
    }

    private boolean exists(Connection c, TableId t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table(t));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The statement in upper case without leading comments, whitespace collapsed, followed by a space. */
    static String statementStart(String sql) {
        String s = sql.replaceFirst("(?s)^(\\s*/\\*.*?\\*/)*", "");
        return s.trim().replaceAll("\\s+", " ").toUpperCase(Locale.ROOT) + " ";
    }
}
