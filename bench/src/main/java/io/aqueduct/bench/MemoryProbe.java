package io.aqueduct.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Samples this JVM's heap use and resident set every few milliseconds and keeps the peaks. */
final class MemoryProbe implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "memory-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile long peakHeapUsed;
    private volatile long peakHeapCommitted;
    private volatile long peakRssKb;

    private volatile long peakAfterGc;

    MemoryProbe(long everyMillis) {
        timer.scheduleAtFixedRate(this::sample, 0, everyMillis, TimeUnit.MILLISECONDS);
        // what a collection leaves is what the process really holds (queues, caches, batches in flight)
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
                    long after = 0;
                    for (MemoryUsage u : info.getMemoryUsageAfterGc().values()) after += u.getUsed();
                    synchronized (this) {
                        peakAfterGc = Math.max(peakAfterGc, after);
                    }
                }, null, null);
            }
        }
    }

    private synchronized void sample() {
        var heap = memory.getHeapMemoryUsage();
        peakHeapUsed = Math.max(peakHeapUsed, heap.getUsed());
        peakHeapCommitted = Math.max(peakHeapCommitted, heap.getCommitted());
        peakRssKb = Math.max(peakRssKb, status("VmRSS"));
    }

    /** A kB figure from /proc/self/status, or 0 when there is none. */
    static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim());
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no RSS figures
        }
        return 0;
    }

    /** The peaks as RESULT keys, in MiB. */
    Map<String, String> results() {
        sample();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("heap_peak_mib", mib(peakHeapUsed));
        out.put("heap_after_gc_peak_mib", mib(peakAfterGc));
        out.put("heap_committed_peak_mib", mib(peakHeapCommitted));
        out.put("heap_max_mib", mib(Runtime.getRuntime().maxMemory()));
        out.put("rss_peak_sampled_mib", mib(peakRssKb * 1024));
        out.put("vmhwm_mib", mib(status("VmHWM") * 1024));
        long gcs = 0;
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        out.put("gc_count", Long.toString(gcs));
        out.put("gc_ms", Long.toString(gcMs));
        return out;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
