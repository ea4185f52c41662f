package io.aqueduct.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessesTest {

    @Test
    void missingBinaryNamesItAndTheFix() {
        assertThatThrownBy(() -> Processes.findBinary("no-such-mariadbd", "mariadb-server", List.of(Path.of("/usr/sbin"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-mariadbd")
                .hasMessageContaining("apt-get update && apt-get install -y mariadb-server");
    }

    @Test
    void freePortCanBeBound() throws Exception {
        int port = FreePort.find();
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void postgresVersionsCompareNumerically() {
        assertThat(PostgresServer.compareVersions("15", "9.6")).isPositive();
        assertThat(PostgresServer.compareVersions("10", "15")).isNegative();
        assertThat(PostgresServer.findBinDir()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
    }
}
