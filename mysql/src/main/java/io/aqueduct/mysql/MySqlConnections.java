package io.aqueduct.mysql;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections to MySQL/MariaDB and turns login and network failures into errors that say what to fix. */
public final class MySqlConnections {
    private MySqlConnections() {}

    /**
     * @param role the job-file section ({@code source} or {@code target}) named in error messages
     */
    public static Connection open(Endpoint e, String database, String role) throws SQLException {
        String url = "jdbc:mariadb://" + e.host() + ":" + e.port() + "/" + (database == null ? "" : database)
                + "?connectTimeout=10000&tcpKeepAlive=true&permitMysqlScheme=true"
                // the target is sent many rows of a table as one bulk statement, or where the server has none, by LOAD
                // DATA LOCAL from memory (MySqlBulkLoad); nothing else may ask for files
                + ("target".equals(role) ? "&useBulkStmts=true&allowLocalInfile=true" : "&allowLocalInfile=false");
        Properties p = new Properties();
        p.setProperty("user", e.user());
        p.setProperty("password", e.password() == null ? "" : e.password());
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException ex) {
            throw explain(ex, e, role);
        }
    }

    /** A {@link ConfigException} for failures a user must fix, else the original exception. */
    static SQLException explain(SQLException ex, Endpoint e, String role) {
        ConfigException config = describe(ex, e, role);
        if (config != null) throw config;
        return ex;
    }

    static ConfigException describe(Throwable ex, Endpoint e, String role) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return new ConfigException(role + ".host: the host name '" + e.host() + "' does not resolve. Check "
                        + role + ".host in the job file.", ex);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof SocketTimeoutException) {
                return new ConfigException("Cannot reach the " + role + " database at " + e.address() + " ("
                        + t.getMessage() + "). Check " + role + ".host and " + role + ".port, that the server is running, "
                        + "and that no firewall blocks the port.", ex, true);
            }
            if (t instanceof SQLException s) {
                int code = s.getErrorCode();
                if (code == 1045 || "28000".equals(s.getSQLState())) {
                    return new ConfigException("The " + role + " database at " + e.address() + " refused the login of user '"
                            + e.user() + "' (" + s.getMessage() + "). Check " + role + ".user and " + role + ".password "
                            + "(a ${VARIABLE} in the password is read from the environment).", ex);
                }
                if (code == 1049) {
                    return new ConfigException("The " + role + " database at " + e.address() + " has no database named in the "
                            + "job (" + s.getMessage() + "). Create it or fix the name.", ex);
                }
                if (code == 1044 || code == 1142 || code == 1227) {
                    return new ConfigException("User '" + e.user() + "' lacks a privilege on the " + role + " database ("
                            + s.getMessage() + "). Run 'aqueduct precheck JOB' to see which grants are needed.", ex);
                }
            }
        }
        return null;
    }
}
