package io.aqueduct.mysql;

import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.model.Column;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies to MySQL/MariaDB. Temporal values travel as text in the session's UTC time zone, so no driver or JVM time
 * zone can shift them; DDL is replayed as the source wrote it, in the source's default database. The target's
 * generated columns get no value (strict mode refuses one): the target computes them from the others.
 */
public final class MySqlDialect implements SqlDialect {

    private static final Logger LOG = LoggerFactory.getLogger(MySqlDialect.class);
    /** Errors a DDL statement gives when it already took effect: table exists/unknown, duplicate or missing column/key. */
    private static final Set<Integer> ALREADY_DONE = Set.of(1050, 1051, 1060, 1061, 1091);
    /**
     * Whether a row of information_schema.COLUMNS is a generated column: its EXTRA says VIRTUAL GENERATED or STORED
     * GENERATED on MariaDB and MySQL alike (MySQL 8's DEFAULT_GENERATED marks an expression default, not a generated
     * column).
     */
    static final String GENERATED = "(EXTRA LIKE '%VIRTUAL GENERATED%' OR EXTRA LIKE '%STORED GENERATED%')";

    private final Endpoint target;
    private final MySqlBulkLoad bulk;
    /** Per table shape, the positions of the columns that are not generated on the target (see {@link #written}). */
    private final Map<TableSchema, int[]> written = Collections.synchronizedMap(new IdentityHashMap<>());

    public MySqlDialect(Endpoint target) {
        this(target, true);
    }

    /** @param bulkStatements false writes large batches by LOAD DATA even where bulk statements exist (for tests) */
    MySqlDialect(Endpoint target, boolean bulkStatements) {
        this.target = target;
        this.bulk = new MySqlBulkLoad(this, bulkStatements);
    }

    @Override
    public Connection connect() throws SQLException {
        return MySqlConnections.open(target, null, "target");
    }

    @Override
    public void prepareSession(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            // strict, so a value the target cannot hold fails loudly; zero dates allowed, as the source had them;
            // NO_AUTO_VALUE_ON_ZERO keeps an explicit 0 in an AUTO_INCREMENT column
            st.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', "
                    + "time_zone = '+00:00', foreign_key_checks = 0, NAMES utf8mb4");
            bulk.prepareSession(st);
        }
        c.setAutoCommit(false);
    }

    @Override
    public String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    /**
     * All columns but those generated on the target, asked once per table shape. A column generated on the source but
     * plain on the target gets the source's value. A table the target does not have yet (a CREATE later in the
     * stream) is asked again next time.
     */
    @Override
    public int[] written(Connection c, TableSchema t) throws SQLException {
        int[] known = written.get(t);
        if (known != null) return known;
        Set<String> generated = new HashSet<>();
        boolean exists = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME, " + GENERATED + " FROM information_schema.COLUMNS "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, t.id().schema());
            ps.setString(2, t.id().table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    exists = true;
                    if (rs.getBoolean(2)) generated.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        int[] columns = IntStream.range(0, t.columns().size())
                .filter(i -> !generated.contains(t.columns().get(i).name().toLowerCase(Locale.ROOT))).toArray();
        if (exists) written.put(t, columns);
        return columns;
    }

    @Override
    public String upsert(TableSchema t, int[] columns, int rows) {
        StringBuilder sb = new StringBuilder(insert(t, columns, rows)).append(" ON DUPLICATE KEY UPDATE ");
        for (int i = 0; i < columns.length; i++) {
            String q = quote(t.columns().get(columns[i]).name());
            sb.append(i == 0 ? "" : ",").append(q).append("=VALUES(").append(q).append(')');
        }
        return sb.toString();
    }

    @Override
    public boolean upsertInBulk(Connection c, TableSchema t, int[] columns, java.util.List<Object[]> rows) throws SQLException {
        return bulk.replace(c, t, columns, rows);
    }

    @Override
    public String nullSafeEquals(String quotedColumn) {
        return quotedColumn + " <=> ?";
    }

    /** Generated columns are functions of the others: matching the written ones is enough. */
    private String matchAll(TableSchema t, int[] columns) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            sb.append(i == 0 ? "" : " AND ").append(nullSafeEquals(quote(t.columns().get(columns[i]).name())));
        }
        return sb.toString();
    }

    @Override
    public String deleteOneMatching(TableSchema t, int[] columns) {
        return "DELETE FROM " + table(t.id()) + " WHERE " + matchAll(t, columns) + " LIMIT 1";
    }

    @Override
    public String updateOneMatching(TableSchema t, int[] columns) {
        StringBuilder sb = new StringBuilder("UPDATE ").append(table(t.id())).append(" SET ");
        for (int i = 0; i < columns.length; i++) sb.append(i == 0 ? "" : ",").append(quote(t.columns().get(columns[i]).name())).append("=?");
        return sb.append(" WHERE ").append(matchAll(t, columns)).append(" LIMIT 1").toString();
    }

    @Override
    public void bind(PreparedStatement ps, int i, Column column, Object v) throws SQLException {
        bindValue(ps, i, column, v);
    }

    /** Binds one of the model's values (see {@link io.aqueduct.core.model.Values}) as a MySQL parameter. */
    static void bindValue(PreparedStatement ps, int i, Column column, Object v) throws SQLException {
        if (v == null) ps.setNull(i, column.jdbcType() == Types.TIMESTAMP_WITH_TIMEZONE ? Types.TIMESTAMP : column.jdbcType());
        else if (v instanceof Long l) ps.setLong(i, l);
        else if (v instanceof String s) ps.setString(i, s);
        else if (v instanceof byte[] b) ps.setBytes(i, b);
        else if (v instanceof BigDecimal d) ps.setBigDecimal(i, d);
        // numeric, not text: in a row comparison, (a, id) IN ((?, '...')), MariaDB compares an integer with a string as
        // doubles, which cannot tell integers above 2^53 apart
        else if (v instanceof BigInteger b) ps.setBigDecimal(i, new BigDecimal(b));
        else if (v instanceof Double d) ps.setDouble(i, d);
        // as its exact double: as text a FLOAT goes as Float.toString, and 3.4028235E38 (FLT_MAX) read as a double is
        // above FLT_MAX, which strict mode refuses as out of range
        else if (v instanceof Float f) ps.setDouble(i, f);
        else if (v instanceof LocalDateTime t) ps.setString(i, Values.datetimeText(t));
        else if (v instanceof Instant t) ps.setString(i, Values.datetimeText(LocalDateTime.ofInstant(t, ZoneOffset.UTC)));
        else if (v instanceof LocalDate d) ps.setString(i, d.toString());
        else if (v instanceof Duration d) ps.setString(i, Values.timeText(d));
        else if (v instanceof Boolean b) ps.setBoolean(i, b);
        else throw new SQLException("cannot bind a " + v.getClass().getName() + " to column " + column.name());
    }

    @Override
    public void ensureTable(Connection c, TableSchema t) {
        // MySQL targets get tables through replicated DDL (or from the user); a missing one fails with its name
    }

    @Override
    public void applyDdl(Connection c, Ddl ddl) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (ddl.table() != null && ddl.sql().trim().regionMatches(true, 0, "CREATE", 0, 6)) {
                st.execute("CREATE DATABASE IF NOT EXISTS " + quote(ddl.table().schema()));
            }
            if (ddl.schema() != null && !ddl.schema().isEmpty()) {
                try {
                    st.execute("USE " + quote(ddl.schema()));
                } catch (SQLException e) {
                    // the statement's default database need not exist on the target when the statement names its table fully
                    if (e.getErrorCode() != 1049) throw e;
                }
            }
            try {
                st.execute(ddl.sql());
            } catch (SQLException e) {
                if (!ALREADY_DONE.contains(e.getErrorCode())) throw e;
                // replayed after a crash that came between the DDL and the saved position
                LOG.info("Skipping DDL already in effect on the target ({}): {}", e.getMessage(), ddl.sql());
            }
        }
        c.commit();
        // any table's columns may have changed, also under another's name (RENAME TABLE a TO b)
        written.clear();
    }

    @Override
    public int maxParameters() {
        return 60_000;
    }

    @Override
    public boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        int code = e.getErrorCode();
        return code == 1213 || code == 1205 || code == 2006 || code == 2013 || code == 1927
                || state != null && (state.startsWith("08") || state.startsWith("40"));
    }
}
