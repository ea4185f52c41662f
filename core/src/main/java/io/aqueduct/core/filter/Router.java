package io.aqueduct.core.filter;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.model.Change;
import io.aqueduct.core.model.Ddl;
import io.aqueduct.core.model.RowChange;
import io.aqueduct.core.model.TableId;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.model.Transaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renames databases, tables and columns on the way to the target. Values are untouched. */
public final class Router {
    private final Routes routes;
    private final Map<TableSchema, TableSchema> cache = new IdentityHashMap<>();

    public Router(Routes routes) {
        this.routes = routes;
    }

    /** Fails with the route's key when it names a table or column the source does not have among the selected ones. */
    public void validate(Collection<TableSchema> selected) {
        for (String key : routes.tables().keySet()) find(selected, key, "routes.tables");
        for (var e : routes.columns().entrySet()) {
            TableSchema t = find(selected, e.getKey(), "routes.columns");
            for (String col : e.getValue().keySet()) {
                if (t.column(col) == null) {
                    throw new ConfigException("routes.columns." + e.getKey() + "." + col + ": table " + e.getKey()
                            + " has no column '" + col + "'. Its columns are: "
                            + String.join(", ", t.columns().stream().map(c -> c.name()).toList()) + ".");
                }
            }
        }
    }

    private static TableSchema find(Collection<TableSchema> selected, String key, String path) {
        for (TableSchema t : selected) if (t.id().toString().equals(key)) return t;
        throw new ConfigException(path + "." + key + ": the source has no selected table " + key + ". Check the name "
                + "(database.table, as the source spells it) and that tables.include selects it.");
    }

    public TableId route(TableId source) {
        String target = routes.tables().get(source.toString());
        String db = routes.databases().getOrDefault(source.schema(), source.schema());
        if (target == null) return db.equals(source.schema()) ? source : new TableId(db, source.table());
        int dot = target.indexOf('.');
        return dot < 0 ? new TableId(db, target) : new TableId(target.substring(0, dot), target.substring(dot + 1));
    }

    public TableSchema route(TableSchema s) {
        if (routes.isEmpty()) return s;
        synchronized (cache) {
            return cache.computeIfAbsent(s, k -> {
                TableSchema out = k.withId(route(k.id()));
                Map<String, String> cols = routes.columns().get(k.id().toString());
                return cols == null ? out : out.renameColumns(cols);
            });
        }
    }

    public Transaction route(Transaction tx) {
        if (routes.isEmpty() || tx.changes().isEmpty()) return tx;
        List<Change> out = new ArrayList<>(tx.changes().size());
        for (Change c : tx.changes()) {
            if (c instanceof RowChange rc) out.add(new RowChange(route(rc.schema()), rc.op(), rc.before(), rc.after()));
            else out.add(route((Ddl) c));
        }
        return new Transaction(tx.seq(), tx.id(), tx.origin(), tx.commitTime(), tx.position(), out, tx.fragment(), tx.last());
    }

    /**
     * Rewrites the table named by a DDL statement (and its default database). Column renames cannot be carried into
     * DDL text safely, so a DDL on such a table stops the job with instructions.
     */
    public Ddl route(Ddl ddl) {
        String schema = routes.databases().getOrDefault(ddl.schema(), ddl.schema());
        if (ddl.table() == null) return new Ddl(schema, ddl.sql(), null, ddl.newTable());
        if (routes.columns().containsKey(ddl.table().toString())) {
            throw new ConfigException("A DDL statement changes " + ddl.table() + ", which has column renames in "
                    + "routes.columns: apply it on the target by hand (with the renamed columns), then move the job past "
                    + "it. Statement: " + ddl.sql());
        }
        TableId target = route(ddl.table());
        String sql = ddl.sql();
        if (!target.equals(ddl.table())) {
            String q = "`?";
            Pattern name = Pattern.compile("(?i)(?<![\\w$])((?:" + q + Pattern.quote(ddl.table().schema()) + q + "\\s*\\.\\s*)?"
                    + q + Pattern.quote(ddl.table().table()) + q + ")(?=[\\s(;]|$)");
            Matcher m = name.matcher(sql);
            if (m.find()) {
                sql = sql.substring(0, m.start()) + "`" + target.schema() + "`.`" + target.table() + "`" + sql.substring(m.end());
            }
        }
        TableSchema newTable = ddl.newTable() == null ? null : route(ddl.newTable());
        return new Ddl(schema, sql, target, newTable);
    }
}
