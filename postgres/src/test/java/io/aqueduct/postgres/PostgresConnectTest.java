package io.aqueduct.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.testkit.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Connection failures the user has to fix come back as ConfigExceptions that say what to fix. */
class PostgresConnectTest {
    static final PostgresServer PG = PostgresServer.shared();

    static PostgresDialect dialect(String user, String password, int port, String database) {
        return new PostgresDialect(new Endpoint("postgres", PG.host(), port, user, password, database, 0, null));
    }

    @Test
    void connects() throws Exception {
        try (Connection c = dialect("postgres", "", PG.port(), "postgres").connect()) {
            assertThat(c.isValid(1)).isTrue();
        }
    }

    @Test
    void wrongPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> dialect("postgres", "", port, "postgres").connect())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nothing listens on 127.0.0.1:" + port)
                .hasMessageContaining("target.host and target.port");
    }

    @Test
    void unknownHost() {
        PostgresDialect d = new PostgresDialect(new Endpoint("postgres", "no-such-host.invalid", 5432, "postgres", "",
                "postgres", 0, null));
        assertThatThrownBy(d::connect).isInstanceOf(ConfigException.class).hasMessageContaining("check target.host");
    }

    @Test
    void missingDatabase() {
        assertThatThrownBy(() -> dialect("postgres", "", PG.port(), "no_such_db").connect())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no database 'no_such_db'")
                .hasMessageContaining("CREATE DATABASE \"no_such_db\" or fix target.database");
    }

    @Test
    void wrongPassword() throws IOException {
        // the test server trusts everyone; make this one role use passwords
        PG.execute("postgres", "DROP ROLE IF EXISTS pwuser", "CREATE ROLE pwuser LOGIN PASSWORD 'right'");
        Path hba = PG.dataDir().resolve("pg_hba.conf");
        String rules = Files.readString(hba);
        if (!rules.startsWith("host all pwuser")) {
            Files.writeString(hba, "host all pwuser 127.0.0.1/32 scram-sha-256\n" + rules);
            PG.execute("postgres", "SELECT pg_reload_conf()");
        }
        PostgresDialect wrong = dialect("pwuser", "wrong", PG.port(), "postgres");
        // the postmaster reloads asynchronously
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try {
                        wrong.connect().close();
                        return false;
                    } catch (ConfigException e) {
                        assertThat(e).hasMessageContaining("refused the login of user 'pwuser'")
                                .hasMessageContaining("check target.user and target.password");
                        return true;
                    }
                });
    }
}
