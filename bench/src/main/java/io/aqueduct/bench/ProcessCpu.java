package io.aqueduct.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time of processes, read from /proc in clock ticks, so that a phase can say which process kept the cores busy.
 * A server is found among this JVM's children by its data directory on the command line; the client tools a phase
 * runs are measured through this JVM's own "children" counters, which grow when a waited-for child (and everything
 * it waited for) exits.
 */
final class ProcessCpu {
    /** USER_HZ: 100 on every Linux this runs on; /proc/PID/stat counts in it. */
    private static final double TICKS_PER_SECOND = 100;

    private final long pid;

    private ProcessCpu(long pid) {
        this.pid = pid;
    }

    /** The direct child of this JVM whose command line mentions {@code dataDir}: a server the test kit started. */
    static ProcessCpu server(Path dataDir) {
        String needle = dataDir.toString();
        List<ProcessHandle> found = ProcessHandle.current().children().filter(p -> commandLine(p.pid()).contains(needle)).toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one server process with " + needle + " on its command line, found " + found.size());
        }
        return new ProcessCpu(found.get(0).pid());
    }

    /**
     * Seconds of CPU the server used so far: its own threads, its children that exited (PostgreSQL backends), and its
     * live children.
     */
    double seconds() {
        long[] own = stat(pid);
        long ticks = own[0] + own[1] + own[2] + own[3];
        for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.children().toList()).orElse(List.of())) {
            long[] c = stat(child.pid());
            ticks += c[0] + c[1];
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Seconds of CPU used by this JVM's children that have exited and been waited for. */
    static double exitedChildrenSeconds() {
        long[] self = stat(ProcessHandle.current().pid());
        return (self[2] + self[3]) / TICKS_PER_SECOND;
    }

    /**
     * Seconds the whole machine's CPUs spent so far {busy, waiting for I/O}: busy is everything but idle and I/O wait;
     * I/O wait shows a phase stalled on the disk rather than on the CPU.
     */
    static double[] machineSeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            }
            return new double[] {busy / TICKS_PER_SECOND, Long.parseLong(f[5]) / TICKS_PER_SECOND};
        } catch (IOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    /** utime, stime, cutime, cstime of a process; zeros when it is gone. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in parentheses may contain spaces; the fields after it do not
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException e) {
            return new long[4]; // exited between listing and reading
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
