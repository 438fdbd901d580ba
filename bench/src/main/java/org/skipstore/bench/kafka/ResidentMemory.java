package org.skipstore.bench.kafka;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process's resident memory outside the heap, sampled by a thread of its own every
 * {@value #PERIOD_MS} ms while a phase runs.
 *
 * <p>A sample reads {@code VmRSS} and {@code RssFile} of {@code /proc/self/status} and the JVM's
 * committed bytes: the heap's, and its non-heap pools' (code cache, metaspace, compressed class
 * space). The child runs with {@code -Xms} equal to {@code -Xmx} and {@code -XX:+AlwaysPreTouch},
 * so the committed heap is resident from the start and never shrinks: {@code VmRSS} minus it is
 * what lies outside the heap ({@link Sample#offHeap()}). Minus the non-heap pools as well, what is
 * left is mostly the stores' (Skipstore's memtables, flush buffers and mapped file pages; RocksDB's
 * memtables, block cache and index blocks), plus the JVM's own malloc (thread stacks, compiler arenas, GC
 * structures): {@link Sample#outsideJvm()}. Its growth over the sample taken before the phase opens a
 * store is the "store part" the table compares with Skipstore's budget; the JVM's share in it
 * counts against the store, so the figure errs high.
 */
final class ResidentMemory implements AutoCloseable {

    static final int PERIOD_MS = 10;
    private static final Path STATUS = Path.of("/proc/self/status");

    /** One sample, in bytes. {@code rss} is -1 where there is no {@code /proc/self/status}. */
    record Sample(long rss, long rssFile, long heapCommitted, long nonHeapCommitted) {

        long offHeap() {
            return rss < 0 ? -1 : rss - heapCommitted;
        }

        long outsideJvm() {
            return rss < 0 ? -1 : rss - heapCommitted - nonHeapCommitted;
        }
    }

    private final List<MemoryPoolMXBean> nonHeapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.NON_HEAP).toList();
    private final Thread sampler;
    private final Sample baseline;
    private volatile boolean stop;
    private volatile Sample peakOffHeap;
    private volatile Sample peakOutsideJvm;

    /** Takes the baseline now and samples until {@link #close()}. */
    ResidentMemory() {
        baseline = sample();
        peakOffHeap = baseline;
        peakOutsideJvm = baseline;
        sampler = Thread.ofPlatform().daemon().name("resident-memory").start(this::run);
    }

    private void run() {
        while (!stop) {
            note(sample());
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void note(Sample s) {
        if (s.offHeap() > peakOffHeap.offHeap()) {
            peakOffHeap = s;
        }
        if (s.outsideJvm() > peakOutsideJvm.outsideJvm()) {
            peakOutsideJvm = s;
        }
    }

    Sample baseline() {
        return baseline;
    }

    /** The sample with the most outside the heap so far, this moment's included. */
    Sample peakOffHeap() {
        note(sample());
        return peakOffHeap;
    }

    /** The sample with the most outside the heap and the JVM's pools so far. */
    Sample peakOutsideJvm() {
        note(sample());
        return peakOutsideJvm;
    }

    Sample sample() {
        long rss = -1;
        long rssFile = -1;
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("RssFile:")) {
                    rssFile = kilobytes(line);
                }
            }
        } catch (IOException e) {
            // no /proc (not Linux): the figures say "-"
        }
        long nonHeap = 0;
        for (MemoryPoolMXBean p : nonHeapPools) {
            nonHeap += p.getUsage().getCommitted();
        }
        return new Sample(rss, rssFile, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
                nonHeap);
    }

    /** "VmRSS:    123456 kB" -> bytes. */
    private static long kilobytes(String line) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        sampler.join();
    }
}
