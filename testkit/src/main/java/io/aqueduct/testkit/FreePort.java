package io.aqueduct.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds a currently free TCP port on the loopback interface. */
public final class FreePort {
    private FreePort() {}

    /**
     * Returns a port the OS just handed out for 127.0.0.1. Another process may grab it before the caller binds
     * it; the window is short enough for tests.
     */
    public static int find() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
