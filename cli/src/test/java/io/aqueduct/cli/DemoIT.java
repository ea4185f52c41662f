package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The first command of the README: the demo copies existing orders, follows a writer, and ends identical. */
class DemoIT {
    @Test
    void demoCopiesFollowsAndEndsIdentical() {
        CommandLineIT.Result r = CommandLineIT.aqueduct("demo", "--seconds", "3");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("mode: full+incremental").contains("Copying 100000 existing orders")
                .contains("Target matches source");
        // the log (on stdout in tests) and the progress display (stderr) count the same rows
        Matcher logged = Pattern.compile("Copied shop.orders: (\\d+) rows").matcher(r.out());
        Matcher shown = Pattern.compile("shop.orders: done, ([0-9,]+) rows").matcher(r.err());
        assertThat(logged.find()).as(r.out()).isTrue();
        assertThat(shown.find()).as(r.err()).isTrue();
        assertThat(Long.parseLong(shown.group(1).replace(",", ""))).isEqualTo(Long.parseLong(logged.group(1)))
                .isGreaterThanOrEqualTo(100_000);
        assertThat(r.err()).contains("Snapshot: done, ");
    }
}
