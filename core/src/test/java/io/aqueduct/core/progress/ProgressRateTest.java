package io.aqueduct.core.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProgressRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void unknownUntilTwoSamplesApart() {
        RecentRate r = new RecentRate(5 * SECOND);
        assertThat(r.perSecond()).isZero();
        r.sample(SECOND, 0);
        assertThat(r.perSecond()).isZero();
        r.sample(SECOND, 10);
        assertThat(r.perSecond()).isZero();
        r.sample(2 * SECOND, 110);
        assertThat(r.perSecond()).isCloseTo(110, within(1e-9));
    }

    @Test
    void followsTheLastWindowNotTheWholeRun() {
        RecentRate r = new RecentRate(5 * SECOND);
        for (int s = 0; s <= 6; s++) r.sample(s * SECOND, s * 100L);
        assertThat(r.perSecond()).isCloseTo(100, within(1e-9));
        // stalled from the 6th second on: over the window (5 s .. 10 s) only 100 rows
        for (int s = 7; s <= 10; s++) r.sample(s * SECOND, 600);
        assertThat(r.perSecond()).isCloseTo(20, within(1e-9));
        r.sample(11 * SECOND, 600);
        assertThat(r.perSecond()).isZero();
    }

    @Test
    void frequentSamplesDoNotPileUp() {
        RecentRate r = new RecentRate(5 * SECOND);
        r.sample(0, 0);
        for (long i = 1; i <= 1_000_000; i++) r.sample(i * 10_000, i); // every 10 microseconds, 100,000 rows/s
        assertThat(r.perSecond()).isCloseTo(100_000, within(1e-6));
        assertThat(r.size()).isLessThanOrEqualTo(102);
    }
}
