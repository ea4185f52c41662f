package io.aqueduct.postgres;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.precheck.Check;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What a PostgreSQL target must offer, checked before a job starts and by {@code aqueduct precheck}. */
public final class PostgresPrechecks {
    private PostgresPrechecks() {}

    public static List<Check> target(Endpoint e) {
        List<Check> out = new ArrayList<>();
        try (Connection c = new PostgresDialect(e).connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version(), has_database_privilege(current_user, current_database(), 'CREATE'), "
                     + "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")) {
            rs.next();
            out.add(Check.ok("target login", e.user() + "@" + e.address() + "/" + e.database() + ", "
                    + rs.getString(1).split(",")[0]));
            out.add(rs.getBoolean(2) ? Check.ok("target privileges", "may create schemas and tables in " + e.database())
                    : Check.fail("target privileges", "user " + e.user() + " may not create schemas in " + e.database(),
                    "GRANT CREATE ON DATABASE " + e.database() + " TO " + e.user() + " (or create the schemas and tables yourself and make "
                            + e.user() + " their owner)"));
            if (!rs.getBoolean(3)) {
                out.add(Check.warn("foreign keys", "user " + e.user() + " is not a superuser, so foreign-key triggers stay on",
                        "lanes write tables in parallel, so a child row may arrive before its parent: avoid foreign keys on "
                                + "replicated tables, or GRANT SET ON PARAMETER session_replication_role TO " + e.user()));
            }
        } catch (ConfigException ex) {
            out.add(Check.fail("target login", ex.getMessage(), "see above"));
        } catch (SQLException ex) {
            out.add(Check.fail("target", ex.getMessage(), "check the target server and user"));
        }
        return out;
    }
}
