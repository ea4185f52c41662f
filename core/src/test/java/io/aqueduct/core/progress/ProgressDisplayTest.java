package io.aqueduct.core.progress;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The display thread, in plain mode and on a (pretend) terminal. */
class ProgressDisplayTest {
    private static final String ESC = "\u001b[";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, UTF_8);

    private String text() {
        synchronized (bytes) { // PrintStream writes under its own lock; ByteArrayOutputStream methods are synchronized
            return bytes.toString(UTF_8);
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    void plainModePrintsFiguresPeriodicallyAndALinePerFinishedTask() throws Exception {
        Progress p = Progress.open("copy", out, false, Duration.ofMillis(50));
        Progress.Task a = p.task("a", 2000);
        Progress.Task b = p.task("b", 0);
        Progress.Task c = p.task("c", 100); // never started: not shown, but in the overall total
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) a.add(1);
                    for (int i = 0; i < 250; i++) b.add(2);
                }));
            }
            for (Future<?> f : workers) f.get();
        } finally {
            pool.shutdown();
        }
        assertThat(a.rows()).isEqualTo(2000);

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String s = text();
            return s.contains("\na: 2,000 / 2,000 (100%)  ") || s.startsWith("a: 2,000 / 2,000 (100%)  ");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> text().contains("copy: 3,000 / 3,100 (96%)  "));
        String periodic = text();
        assertThat(periodic).containsPattern("(?m)^b: 1,000 / \\?  [\\d,]+ rows/s  ETA -$");
        assertThat(periodic).containsPattern("(?m)^a: 2,000 / 2,000 \\(100%\\)  [\\d,]+ rows/s  ETA (0:00|-)$");
        assertThat(periodic).doesNotContainPattern("(?m)^c: ").doesNotContain("done");

        a.done();
        a.done();
        // printed when the task finishes, not at the next period
        assertThat(text()).containsPattern("(?m)^a: done, 2,000 rows in \\d+\\.\\d s, [\\d,]+ rows/s$");
        b.done();
        c.done();
        p.close();
        p.close();

        String s = text();
        assertThat(count(s, "^a: done, ")).isEqualTo(1);
        assertThat(s).containsPattern("(?m)^b: done, 1,000 rows in \\d+\\.\\d s, [\\d,]+ rows/s$");
        assertThat(s).containsPattern("(?m)^c: done, 0 rows in \\d+\\.\\d s, 0 rows/s$");
        assertThat(count(s, "^copy: done, 3,000 rows in \\d+\\.\\d s, [\\d,]+ rows/s$")).isEqualTo(1);
        assertThat(s).endsWith(" rows/s" + System.lineSeparator()).doesNotContain("\u001b");
    }

    @Test
    void plainModeIsQuietWhileNothingRuns() {
        Progress p = Progress.open("copy", out, false, Duration.ofMillis(10));
        p.task("a", 10);
        Progress.Task b = p.task("b", 10);
        b.add(10);
        await().atMost(Duration.ofSeconds(10)).until(() -> text().contains("b: 10 / 10"));
        b.done();
        String afterDone = text();
        p.println(out, "between tables");
        assertThat(text()).isEqualTo(afterDone + "between tables" + System.lineSeparator());
        p.close();
        // nothing more while no task ran, then the last state: "a" never started, so the total is not complete
        assertThat(text().substring(afterDone.length()))
                .matches("between tables\\Rcopy: 10 / 20 \\(50%\\)  [\\d,]+ rows/s  ETA \\S+\\R");
    }

    @Test
    void terminalModeRedrawsInPlaceAndPrintsTheFinalStateOnClose() {
        Progress p = Progress.open("copy", out, true);
        Progress.Task t = p.task("shop.orders", 1000);
        t.add(500);
        await().atMost(Duration.ofSeconds(10)).until(() -> text().contains(ESC + "2A")); // drawn twice: moved up over 2 lines
        String s = text();
        assertThat(s).contains("\r" + ESC + "2Kshop.orders [##########..........] 500 / 1,000 (50%)  ");
        assertThat(s).contains("\r" + ESC + "2Kcopy        [##########..........] 500 / 1,000 (50%)  ");

        p.println(out, "a line of other output");
        t.add(500);
        t.done();
        p.close();
        p.close();
        s = text();
        int above = s.lastIndexOf("a line of other output\n");
        assertThat(above).isPositive();
        assertThat(s.substring(0, above)).endsWith(ESC + "J"); // the bars were erased before it
        assertThat(count(s, "shop\\.orders: done, 1,000 rows in \\d+\\.\\d s, [\\d,]+ rows/s\n")).isEqualTo(1);
        assertThat(count(s, "copy: done, ")).isEqualTo(1);
        assertThat(s).containsPattern("\r\u001b\\[2Kcopy: done, 1,000 rows in \\d+\\.\\d s, [\\d,]+ rows/s\n\u001b\\[J$");
    }

    @Test
    void terminalShowsAtMostTenTasks() {
        try (Progress p = Progress.open("copy", out, true)) {
            for (int i = 0; i < 12; i++) p.task("t" + i, 10).add(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> text().contains("... and 2 more in progress\n"));
            String s = text();
            assertThat(s).contains("t9 ").doesNotContain("t10 ").doesNotContain("t11 ");
        }
    }
}
