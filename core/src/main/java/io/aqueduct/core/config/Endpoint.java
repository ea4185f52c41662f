package io.aqueduct.core.config;

/**
 * Where a source or target database is and how to log in. Keys that only some types use are null or 0
 * when absent.
 *
 * @param serverId  the replica id a MySQL source registers with (0 when not a MySQL source)
 * @param database  the PostgreSQL database of a postgres target
 * @param start     where a source starts when no position is stored (null for targets)
 */
public record Endpoint(
        String type,
        String host,
        int port,
        String user,
        String password,
        String database,
        long serverId,
        StartPosition start) {

    /** host:port for messages. */
    public String address() {
        return host + ":" + port;
    }
}
