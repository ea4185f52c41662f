package io.aqueduct.core.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RowTextTest {
    private static String text(Object v) {
        RowText t = RowText.ofThisThread();
        t.value(v);
        String s = t.toString();
        t.release();
        return s;
    }

    @Test
    void longsAreWrittenAsLongToStringWritesThem() {
        long[] edges = {0, 1, -1, 9, 10, -10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, 4294967295L, 1_000_000_000_000_000_000L};
        for (long v : edges) assertThat(text(v)).isEqualTo(Long.toString(v));
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            assertThat(text(v)).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void valuesFollowEachOtherInOneText() {
        RowText t = RowText.ofThisThread();
        t.value(-42L);
        t.put('\t');
        t.value("a\tb\\c\nd");
        t.put('\t');
        t.value(7L);
        assertThat(t.toString()).isEqualTo("-42\ta\\tb\\\\c\\nd\t7");
        t.release();
    }
}
