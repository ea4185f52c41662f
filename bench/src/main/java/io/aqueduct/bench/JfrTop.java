package io.aqueduct.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU and the allocations went in JFR recordings: execution samples by thread, by top frame (self) and by
 * any frame (total), plus allocation samples by allocating method and by class. bench/run --profile prints it for
 * the Aqueduct JVMs; its main summarizes any recordings.
 */
public final class JfrTop {
    private final Map<String, Long> byThread = new HashMap<>();
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> total = new HashMap<>();
    private final Map<String, Long> allocBySite = new HashMap<>();
    private final Map<String, Long> allocByClass = new HashMap<>();
    private long samples;
    private long allocWeight;
    private long gcPauseNanos;
    private long gcs;

    /** Prints the summary of the given recordings: {@code java -cp ... io.aqueduct.bench.JfrTop FILE.jfr...}. */
    public static void main(String[] args) throws IOException {
        Map<Path, long[]> files = new java.util.LinkedHashMap<>();
        for (String a : args) files.put(Path.of(a), null);
        read(files).print(System.out, String.join(" ", args), 30);
    }

    /**
     * Reads the recordings; a file's window {from, to} in epoch milliseconds (or null: all of it) keeps only the
     * events of the measured interval, leaving out JVM start-up and connection set-up.
     */
    static JfrTop read(Map<Path, long[]> files) throws IOException {
        JfrTop t = new JfrTop();
        for (var f : files.entrySet()) {
            long[] w = f.getValue();
            for (RecordedEvent e : RecordingFile.readAllEvents(f.getKey())) {
                long at = e.getStartTime().toEpochMilli();
                if (w == null || at >= w[0] && at <= w[1]) t.add(e);
            }
        }
        return t;
    }

    private void add(RecordedEvent e) {
        String type = e.getEventType().getName();
        switch (type) {
            case "jdk.ExecutionSample" -> {
                samples++;
                RecordedThread th = e.getThread("sampledThread");
                byThread.merge(threadGroup(th == null ? "?" : th.getJavaName()), 1L, Long::sum);
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) return;
                List<RecordedFrame> frames = st.getFrames();
                self.merge(name(frames.get(0)), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) {
                    String n = name(f);
                    if (seen.add(n)) total.merge(n, 1L, Long::sum);
                }
            }
            case "jdk.ObjectAllocationSample" -> {
                long w = e.getLong("weight");
                allocWeight += w;
                allocByClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
                RecordedStackTrace st = e.getStackTrace();
                if (st != null && !st.getFrames().isEmpty()) {
                    // the first frame outside the JDK says who allocated
                    String site = null;
                    for (RecordedFrame f : st.getFrames()) {
                        String n = name(f);
                        if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")) {
                            site = n;
                            break;
                        }
                    }
                    allocBySite.merge(site == null ? name(st.getFrames().get(0)) : site, w, Long::sum);
                }
            }
            case "jdk.GarbageCollection" -> {
                gcs++;
                gcPauseNanos += e.getLong("sumOfPauses");
            }
            default -> { }
        }
    }

    private static String threadGroup(String name) {
        return name == null ? "?" : name.replaceAll("-\\d+$", "-N");
    }

    private static String name(RecordedFrame f) {
        if (f.getMethod() == null) return "?";
        // lambda classes differ per JVM (Foo$$Lambda$290+0x00007f..../1690112391): one name for all
        String type = f.getMethod().getType().getName().replaceAll("\\$\\$Lambda\\$.*", "\\$\\$Lambda");
        return type + "." + f.getMethod().getName();
    }

    void print(PrintStream out, String title, int top) {
        out.printf("%n%s: %,d CPU samples, %d GCs with %.0f ms of pauses, %,.0f MB allocation sampled%n", title, samples,
                gcs, gcPauseNanos / 1e6, allocWeight / 1e6);
        out.println("  CPU by thread:");
        printTop(out, byThread, samples, 10, "");
        out.println("  CPU self (top frame):");
        printTop(out, self, samples, top, "");
        out.println("  CPU total (on stack), Aqueduct and binlog-client methods:");
        Map<String, Long> ours = new HashMap<>();
        total.forEach((k, v) -> {
            if (k.startsWith("io.aqueduct.") || k.startsWith("com.github.shyiko.")) ours.put(k, v);
        });
        printTop(out, ours, samples, top, "");
        out.println("  Allocation by allocating method (first non-JDK frame):");
        printTop(out, allocBySite, allocWeight, 12, "");
        out.println("  Allocation by class:");
        printTop(out, allocByClass, allocWeight, 10, "");
    }

    private static void printTop(PrintStream out, Map<String, Long> counts, long all, int top, String indent) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.printf("    %s%5.1f%%  %s%n", indent, 100.0 * e.getValue() / Math.max(1, all), e.getKey()));
    }
}
