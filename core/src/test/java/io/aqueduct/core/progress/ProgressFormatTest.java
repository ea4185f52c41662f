package io.aqueduct.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lines the display prints, as pure functions of the figures. */
class ProgressFormatTest {

    @Test
    void nothingDoneYet() {
        assertThat(Progress.line("t", 0, 1000, 0, 10)).isEqualTo("t [..........] 0 / 1,000 (0%)  0 rows/s  ETA -");
    }

    @Test
    void halfway() {
        assertThat(Progress.line("t", 500, 1000, 100, 10))
                .isEqualTo("t [#####.....] 500 / 1,000 (50%)  100 rows/s  ETA 0:05");
    }

    @Test
    void complete() {
        assertThat(Progress.line("t", 1000, 1000, 100, 10))
                .isEqualTo("t [##########] 1,000 / 1,000 (100%)  100 rows/s  ETA 0:00");
    }

    @Test
    void percentAndBarRoundDownSoThatOnlyTheEndShowsFull() {
        assertThat(Progress.line("t", 999, 1000, 100, 10))
                .isEqualTo("t [#########.] 999 / 1,000 (99%)  100 rows/s  ETA 0:01");
    }

    @Test
    void moreRowsThanEstimatedShowsTheRowsDoneAsTheTotal() {
        assertThat(Progress.line("t", 1500, 1000, 250.4, 10))
                .isEqualTo("t [##########] 1,500 / 1,500 (100%)  250 rows/s  ETA 0:00");
    }

    @Test
    void unknownEstimateHasNoPercentageNorEta() {
        assertThat(Progress.line("t", 1234, 0, 50, 10)).isEqualTo("t [..........] 1,234 / ?  50 rows/s  ETA -");
        assertThat(Progress.line("t", 0, 0, 0, 0)).isEqualTo("t: 0 / ?  0 rows/s  ETA -");
    }

    @Test
    void plainLineHasNoBar() {
        assertThat(Progress.line("shop.orders", 1500, 3000, 250, 0))
                .isEqualTo("shop.orders: 1,500 / 3,000 (50%)  250 rows/s  ETA 0:06");
    }

    @Test
    void etaOverAnHourShowsHours() {
        assertThat(Progress.line("t", 0, 4_000_000, 1000, 0))
                .isEqualTo("t: 0 / 4,000,000 (0%)  1,000 rows/s  ETA 1:06:40");
        assertThat(Progress.eta(3600, 1)).isEqualTo("1:00:00");
        assertThat(Progress.eta(3599, 1)).isEqualTo("59:59");
        assertThat(Progress.eta(100L * 3600, 1)).isEqualTo("100:00:00");
    }

    @Test
    void etaRoundsUpAndNeedsARate() {
        assertThat(Progress.eta(1, 0.5)).isEqualTo("0:02");
        assertThat(Progress.eta(1, 1000)).isEqualTo("0:01");
        assertThat(Progress.eta(10, 0)).isEqualTo("-");
        assertThat(Progress.eta(10, Double.NaN)).isEqualTo("-");
        assertThat(Progress.eta(0, 0)).isEqualTo("0:00");
    }

    @Test
    void slowRateStillGivesAnEta() {
        assertThat(Progress.line("t", 0, 10, 0.4, 0)).isEqualTo("t: 0 / 10 (0%)  0 rows/s  ETA 0:25");
    }

    @Test
    void finishedLineAveragesOverTheWholeTask() {
        assertThat(Progress.finished("shop.orders", 1500, 2.5)).isEqualTo("shop.orders: done, 1,500 rows in 2.5 s, 600 rows/s");
        assertThat(Progress.finished("t", 0, 0)).isEqualTo("t: done, 0 rows in 0.0 s, 0 rows/s");
    }

    @Test
    void barsAtTheirEnds() {
        assertThat(Progress.bar(0, 0, 4)).isEqualTo("....");
        assertThat(Progress.bar(1, 3, 3)).isEqualTo("#..");
        assertThat(Progress.bar(7, 3, 3)).isEqualTo("###");
    }

    @Test
    void terminalOnlyWithAConsoleAndNobodyAskingForPlainOutput() {
        assertThat(Progress.isTerminal(false, Map.of("TERM", "xterm"))).isFalse();
        assertThat(Progress.isTerminal(true, Map.of("TERM", "xterm-256color"))).isTrue();
        assertThat(Progress.isTerminal(true, Map.of())).isTrue();
        assertThat(Progress.isTerminal(true, Map.of("TERM", "dumb"))).isFalse();
        assertThat(Progress.isTerminal(true, Map.of("NO_COLOR", "1"))).isFalse();
        assertThat(Progress.isTerminal(true, Map.of("NO_COLOR", ""))).isTrue();
        assertThat(Progress.isTerminal(true, Map.of("CI", "true"))).isFalse();
    }
}
