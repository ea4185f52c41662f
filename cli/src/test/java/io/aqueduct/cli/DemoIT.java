package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The first command of the README: the demo copies existing orders, follows a writer, and ends identical. */
class DemoIT {
    @Test
    void demoCopiesFollowsAndEndsIdentical() {
        CommandLineIT.Result r = CommandLineIT.aqueduct("demo", "--seconds", "3");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("mode: full+incremental").contains("Copying 100000 existing orders")
                .contains("Target matches source");
        assertThat(r.out()).contains("Copied shop.orders: "); // the log (on stdout in tests)
        assertThat(r.err()).contains("shop.orders: done, ").contains("Snapshot: done, "); // the progress display
    }
}
