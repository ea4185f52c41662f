package io.aqueduct.cli;

import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.model.Index;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.precheck.Check;
import io.aqueduct.mysql.MySqlCatalog;
import io.aqueduct.mysql.MySqlConnections;
import io.aqueduct.mysql.MySqlShapes;
import io.aqueduct.postgres.PostgresDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates the target databases/schemas and tables that do not exist yet from the source's definitions: MySQL → MySQL
 * from the source's own CREATE TABLE (same columns, types, charsets, keys and indexes) with routes applied;
 * MySQL → PostgreSQL through the documented type mapping, with the key and secondary indexes.
 */
final class SchemaMigration {
    /** What to do for one table: the statements to run, or none when the target table already exists. */
    record Plan(TableId source, TableId target, boolean exists, List<String> statements, List<String> problems) {}

    private SchemaMigration() {}

    static List<Plan> plan(JobConfig job) throws SQLException {
        Router router = new Router(job.routes());
        List<Plan> plans = new ArrayList<>();
        // first: it refuses jobs with no source database (a relay source) with what to do instead
        io.aqueduct.core.apply.SqlDialect dialect = Jobs.dialect(job);
        try (Connection src = MySqlConnections.open(job.source(), null, "source");
             Connection dst = dialect.connect()) {
            MySqlCatalog source = new MySqlCatalog(src);
            for (TableId id : source.tables(Jobs.filter(job))) {
                TableSchema s = source.table(id);
                if (s == null) continue;
                TableSchema routed = router.route(s);
                Map<String, String> renames = job.routes().columns().getOrDefault(id.toString(), Map.of());
                List<Index> indexes = new ArrayList<>();
                for (Index ix : source.indexes(s)) {
                    indexes.add(new Index(ix.name(), ix.unique(), ix.columns().stream().map(c -> renames.getOrDefault(c, c)).toList()));
                }
                plans.add(job.target().type().equals("mysql")
                        ? mysqlPlan(source, new MySqlCatalog(dst), id, routed, renames)
                        : postgresPlan(new PostgresDialect(job.target()), dst, id, routed, indexes));
            }
        }
        return plans;
    }

    private static Plan mysqlPlan(MySqlCatalog source, MySqlCatalog target, TableId id, TableSchema routed,
                                  Map<String, String> renames) throws SQLException {
        TableId to = routed.id();
        TableSchema existing = target.table(to);
        if (existing != null) return new Plan(id, to, true, List.of(), MySqlShapes.problems(routed, existing));
        String[] defaults = source.databaseDefaults(id.schema());
        String create = source.createStatement(id);
        // "CREATE TABLE `t` (" → CREATE TABLE IF NOT EXISTS `t2` ( in the target database
        create = create.replaceFirst("^CREATE TABLE `(?:[^`]|``)+`", Matcher.quoteReplacement(
                "CREATE TABLE IF NOT EXISTS " + quote(to.table())));
        for (var r : renames.entrySet()) {
            create = create.replaceAll(Pattern.quote(quote(r.getKey())), Matcher.quoteReplacement(quote(r.getValue())));
        }
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE DATABASE IF NOT EXISTS " + quote(to.schema())
                + (defaults == null ? "" : " CHARACTER SET " + defaults[0] + " COLLATE " + defaults[1]));
        ddl.add("USE " + quote(to.schema()));
        ddl.add(create);
        return new Plan(id, to, false, ddl, List.of());
    }

    private static Plan postgresPlan(PostgresDialect pg, Connection dst, TableId id, TableSchema routed, List<Index> indexes)
            throws SQLException {
        List<String> changes = pg.changesNeeded(dst, routed);
        boolean exists = changes.isEmpty() || !changes.get(0).startsWith("CREATE SCHEMA");
        if (exists) {
            List<String> problems = changes.stream().map(c -> "differs from the source; replication will run: " + c).toList();
            return new Plan(id, routed.id(), true, List.of(), problems);
        }
        return new Plan(id, routed.id(), false, pg.createStatements(routed, indexes), List.of());
    }

    /** Runs the plans' statements on the target. */
    static void apply(JobConfig job, List<Plan> plans) throws SQLException {
        try (Connection c = Jobs.dialect(job).connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            if (job.target().type().equals("mysql")) st.execute("SET SESSION foreign_key_checks = 0");
            for (Plan p : plans) for (String sql : p.statements()) st.execute(sql);
        }
    }

    /** Precheck lines for target tables that exist with a shape replication cannot write into. */
    static List<Check> checks(JobConfig job) {
        List<Check> out = new ArrayList<>();
        try {
            int missing = 0;
            for (Plan p : plan(job)) {
                if (!p.exists()) missing++;
                for (String problem : p.problems()) {
                    boolean pg = job.target().type().equals("postgres");
                    // a warning, not a failure: a job resuming from an older position may replay the DDL that fixes it
                    out.add(pg ? Check.warn("target table " + p.target(), problem, "nothing to do: Aqueduct follows the source's shape on PostgreSQL")
                            : Check.warn("target table " + p.target(), problem, "ALTER the target table to match the source ("
                            + p.source() + "), unless the job is behind and will replay the source's ALTER itself"));
                }
            }
            if (missing > 0 && job.target().type().equals("mysql")) {
                out.add(Check.warn("target tables", missing + " selected table(s) do not exist on the target",
                        "run 'aqueduct schema JOB' to create them from the source (replication only creates tables whose CREATE it reads)"));
            }
        } catch (Exception e) {
            out.add(Check.warn("target tables", "could not compare table shapes: " + e.getMessage(), "check the target"));
        }
        return out;
    }

    private static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
