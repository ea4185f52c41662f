package io.aqueduct.core.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shows how far a long operation over many tables (snapshot, verify) has got: per table and overall, rows done of
 * the estimated total, a recent rows/s and an ETA.
 *
 * <p>On a terminal a background thread redraws, every {@value #REDRAW_MILLIS} ms, one bar per table in progress (at
 * most {@value #MAX_TASK_LINES}) and an overall bar, moving the cursor back up over its previous drawing; a table that
 * finishes leaves one line that scrolls away above. Anywhere else (a log file, a pipe, CI) nothing is redrawn: every
 * few seconds it prints the same figures as plain lines, and one line when a table finishes.
 *
 * <p>Workers report rows through {@link Task#add}, which takes no lock. Other output meant for the same terminal goes
 * through {@link #println} so that it lands above the bars instead of through them.
 */
public final class Progress implements AutoCloseable {
    /** How often plain mode prints the figures unless told otherwise. */
    public static final Duration PLAIN_EVERY = Duration.ofSeconds(5);
    static final long REDRAW_MILLIS = 200;
    static final int MAX_TASK_LINES = 10;
    static final int BAR_WIDTH = 20;
    private static final int MIN_BAR_WIDTH = 5;
    private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final String CSI = "\u001b[";

    private final String title;
    private final PrintStream out;
    private final boolean terminal;
    private final long plainEveryNanos;
    private final int columns;
    private final long openedNanos = System.nanoTime();
    private final List<Task> tasks = new CopyOnWriteArrayList<>();
    private final RecentRate overallRate = new RecentRate(RATE_WINDOW_NANOS);
    private final ScheduledExecutorService ticker;
    // the fields below are guarded by this
    /** Lines of the live block now on the terminal, which the next redraw moves back up over. */
    private int drawn;
    private long lastPlainNanos = openedNanos;
    private boolean closed;

    private Progress(String title, PrintStream out, boolean terminal, Duration plainEvery) {
        if (plainEvery.isNegative() || plainEvery.isZero()) throw new IllegalArgumentException("plainEvery must be positive");
        this.title = title;
        this.out = out;
        this.terminal = terminal;
        this.plainEveryNanos = plainEvery.toNanos();
        this.columns = columns(System.getenv("COLUMNS"));
        overallRate.sample(openedNanos, 0);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress: " + title);
            t.setDaemon(true); // a forgotten close() must not keep the JVM alive
            return t;
        });
    }

    /** The terminal display now drawing, if any: other console output should go through its {@link #println}. */
    private static volatile Progress drawing;

    /** The terminal display drawing now, or null. */
    public static Progress drawing() {
        return drawing;
    }

    /** A display writing to {@code out}: bars if {@code terminal}, else plain lines every {@link #PLAIN_EVERY}. */
    public static Progress open(String title, PrintStream out, boolean terminal) {
        return open(title, out, terminal, PLAIN_EVERY);
    }

    /** As {@link #open(String, PrintStream, boolean)}, with plain lines every {@code plainEvery}. */
    public static Progress open(String title, PrintStream out, boolean terminal, Duration plainEvery) {
        Progress p = new Progress(title, out, terminal, plainEvery);
        if (terminal) drawing = p;
        long tick = terminal ? REDRAW_MILLIS : Math.max(1, Math.min(REDRAW_MILLIS, plainEvery.toMillis()));
        p.ticker.scheduleAtFixedRate(p::tick, tick, tick, TimeUnit.MILLISECONDS);
        return p;
    }

    /**
     * Whether to draw bars: standard input and output are a terminal (Java 17's {@code System.console()}), {@code TERM}
     * is not {@code dumb} (a terminal that cannot move the cursor), and neither {@code NO_COLOR} nor {@code CI} is set
     * (their users asked for plain output). On Java 22 and later {@code System.console()} is no longer null when
     * output is redirected, so there this errs towards bars; the project targets Java 17.
     */
    public static boolean isTerminal() {
        return isTerminal(System.console() != null, System.getenv());
    }

    static boolean isTerminal(boolean console, Map<String, String> env) {
        return console && !"dumb".equals(env.get("TERM")) && isBlank(env.get("NO_COLOR")) && isBlank(env.get("CI"));
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * A table (or any unit) to follow. It counts in the overall figures at once, and is shown once it starts: at
     * {@link Task#start()} or its first {@link Task#add}. {@code estimatedRows} 0 means unknown.
     */
    public Task task(String name, long estimatedRows) {
        Task t = new Task(this, name, estimatedRows);
        tasks.add(t);
        return t;
    }

    /** Prints {@code line} on {@code to}; on a terminal above the bars, which are drawn again below it. */
    public void println(PrintStream to, String line) {
        synchronized (this) {
            if (terminal && !closed && drawn > 0) {
                out.print("\r" + CSI + drawn + "A" + CSI + "J");
                out.flush();
                drawn = 0;
            }
            to.println(line);
            to.flush();
            if (terminal && !closed) render(System.nanoTime(), false);
        }
    }

    /** Stops redrawing and prints the final state once. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) return;
            render(System.nanoTime(), true);
            closed = true;
        }
        if (drawing == this) drawing = null;
    }

    // ---- the display thread and what it prints ------------------------------------------------------------------

    private void tick() {
        synchronized (this) {
            if (!closed) render(System.nanoTime(), false);
        }
    }

    private synchronized void taskFinished() {
        if (!closed) render(System.nanoTime(), false);
    }

    /** Called with the lock held. */
    private void render(long now, boolean last) {
        for (Task t : tasks) {
            if (!t.started) continue;
            if (t.rate == null) {
                t.rate = new RecentRate(RATE_WINDOW_NANOS);
                t.rate.sample(t.startedNanos, 0);
            }
            if (!t.finished) t.rate.sample(now, t.rows());
        }
        overallRate.sample(now, overallDone());
        if (terminal) {
            draw(now, last);
            return;
        }
        for (Task t : tasks) {
            if (t.finished && !t.reported) {
                out.println(finishedLine(t));
                t.reported = true;
            }
        }
        if (last || now - lastPlainNanos >= plainEveryNanos) {
            lastPlainNanos = now;
            List<Task> active = active();
            if (last || !active.isEmpty()) {
                for (Task t : active) out.println(line(t.name, t.rows(), t.estimate, t.rate.perSecond(), 0));
                out.println(last ? overallFinal(now, title, 0) : overallLine(title, 0));
            }
        }
        out.flush();
    }

    private void draw(long now, boolean last) {
        StringBuilder b = new StringBuilder();
        if (drawn > 0) b.append('\r').append(CSI).append(drawn).append('A');
        for (Task t : tasks) {
            if (t.finished && !t.reported) {
                eraseLine(b).append(fit(finishedLine(t))).append('\n');
                t.reported = true;
            }
        }
        List<Task> active = active();
        List<Task> shown = active.subList(0, Math.min(active.size(), MAX_TASK_LINES));
        int nameWidth = title.length();
        for (Task t : shown) nameWidth = Math.max(nameWidth, t.name.length());
        nameWidth = Math.min(nameWidth, columns / 3);
        // the bar gives way first when the figures need the room: a wrapped line breaks the cursor-up count
        int widest = overallLine(pad(title, nameWidth), 0).length();
        for (Task t : shown) widest = Math.max(widest, taskLine(t, nameWidth, 0).length());
        int barWidth = Math.max(MIN_BAR_WIDTH, Math.min(BAR_WIDTH, columns - 1 - 2 - widest));
        int lines = 0;
        for (Task t : shown) {
            eraseLine(b).append(fit(taskLine(t, nameWidth, barWidth))).append('\n');
            lines++;
        }
        if (active.size() > shown.size()) {
            eraseLine(b).append("... and ").append(active.size() - shown.size()).append(" more in progress\n");
            lines++;
        }
        String name = pad(title, nameWidth);
        String overall = last ? overallFinal(now, name, barWidth) : overallLine(name, barWidth);
        eraseLine(b).append(fit(overall)).append('\n');
        lines++;
        b.append(CSI).append('J'); // what is left below of a taller previous drawing
        drawn = lines;
        out.print(b);
        out.flush();
    }

    private static StringBuilder eraseLine(StringBuilder b) {
        return b.append('\r').append(CSI).append("2K");
    }

    private String fit(String line) {
        return line.length() < columns ? line : line.substring(0, columns - 1);
    }

    private static String taskLine(Task t, int nameWidth, int barWidth) {
        return line(pad(t.name, nameWidth), t.rows(), t.estimate, t.rate.perSecond(), barWidth);
    }

    private static int columns(String env) {
        try {
            return env == null ? 80 : Math.max(20, Integer.parseInt(env.trim()));
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    private static String pad(String name, int width) {
        if (name.length() > width) return "..." + name.substring(name.length() - width + 3);
        return name + " ".repeat(width - name.length());
    }

    /** Tasks this render has sampled (one that starts meanwhile waits for the next) and that are not finished. */
    private List<Task> active() {
        List<Task> active = new ArrayList<>();
        for (Task t : tasks) if (t.rate != null && !t.finished) active.add(t);
        return active;
    }

    private long overallDone() {
        long done = 0;
        for (Task t : tasks) done += t.rows();
        return done;
    }

    /** Finished tasks count what they did; the others the larger of their estimate and what they did so far. */
    private String overallLine(String name, int barWidth) {
        long done = 0;
        long total = 0;
        for (Task t : tasks) {
            long rows = t.rows();
            done += rows;
            total += t.finished ? rows : Math.max(rows, t.estimate);
        }
        return line(name, done, total, overallRate.perSecond(), barWidth);
    }

    private String overallFinal(long now, String name, int barWidth) {
        for (Task t : tasks) if (!t.finished) return overallLine(name, barWidth);
        return finished(title, overallDone(), (now - openedNanos) / 1e9);
    }

    private static String finishedLine(Task t) {
        return finished(t.name, t.rows(), (t.finishedNanos - t.startedNanos) / 1e9);
    }

    // ---- formatting (pure) --------------------------------------------------------------------------------------

    /**
     * {@code name [#####.....] 1,500 / 3,000 (50%)  250 rows/s  ETA 0:06}; with {@code barWidth} 0 no bar and
     * {@code name: 1,500 / ...}. {@code total} 0 is unknown ({@code ?}, no ETA); a total below {@code done} (estimates
     * from statistics can be low) shows {@code done} as the total. The ETA is the remaining rows at {@code rate}.
     */
    static String line(String name, long done, long total, double rate, int barWidth) {
        long shownTotal = total > 0 ? Math.max(done, total) : 0;
        StringBuilder b = new StringBuilder(name);
        if (barWidth > 0) b.append(" [").append(bar(done, shownTotal, barWidth)).append("] ");
        else b.append(": ");
        b.append(count(done)).append(" / ");
        if (shownTotal > 0) b.append(count(shownTotal)).append(" (").append(done * 100 / shownTotal).append("%)");
        else b.append('?');
        b.append("  ").append(count(Math.round(Math.max(0, rate)))).append(" rows/s  ETA ");
        b.append(shownTotal > 0 ? eta(shownTotal - done, rate) : "-");
        return b.toString();
    }

    /** {@code name: done, 1,500 rows in 2.5 s, 600 rows/s}: the average over the whole task. */
    static String finished(String name, long rows, double seconds) {
        long perSecond = Math.round(rows / Math.max(seconds, 1e-3));
        return name + ": done, " + count(rows) + " rows in " + String.format(Locale.ROOT, "%.1f", seconds) + " s, "
                + count(perSecond) + " rows/s";
    }

    static String bar(long done, long total, int width) {
        int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
        return "#".repeat(filled) + ".".repeat(width - filled);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on; {@code -} when the rate is unknown. */
    static String eta(long remainingRows, double rate) {
        if (remainingRows <= 0) return "0:00";
        if (!(rate > 0)) return "-";
        long seconds = (long) Math.ceil(remainingRows / rate);
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** One table's share of the work. {@link #add} may be called from any number of threads. */
    public static final class Task {
        private final Progress progress;
        private final String name;
        private final LongAdder rows = new LongAdder();
        private volatile long estimate;
        private volatile boolean started;
        private volatile boolean finished;
        private long startedNanos; // written before started, read after it
        private long finishedNanos; // written before finished, read after it
        // guarded by progress
        private RecentRate rate;
        private boolean reported;

        private Task(Progress progress, String name, long estimatedRows) {
            this.progress = progress;
            this.name = name;
            this.estimate = Math.max(0, estimatedRows);
        }

        /** Shows the task from now on; the first {@link #add} does the same. */
        public void start() {
            if (started) return;
            synchronized (this) {
                if (started) return;
                startedNanos = System.nanoTime();
                started = true;
            }
        }

        /** {@code rows} more rows done. Lock-free once started. */
        public void add(long rows) {
            if (!started) start();
            this.rows.add(rows);
        }

        /** A better estimate than the one given at creation; 0 is unknown. */
        public void setEstimate(long estimatedRows) {
            estimate = Math.max(0, estimatedRows);
        }

        /** The task is complete: it prints its final line and leaves the display. Later calls do nothing. */
        public void done() {
            synchronized (this) {
                if (finished) return;
                start();
                finishedNanos = System.nanoTime();
                finished = true;
            }
            progress.taskFinished();
        }

        public String name() {
            return name;
        }

        public long rows() {
            return rows.sum();
        }

        public long estimate() {
            return estimate;
        }

        public boolean isDone() {
            return finished;
        }
    }
}
