package org.skipstore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import org.skipstore.bench.jmh.MemtableWorkload;
import org.skipstore.core.ConcurrentSkipList;

/**
 * Prints the memory per entry of the memtable ({@link ConcurrentSkipList}) filled with the
 * workload of the memtable benchmarks ({@link MemtableWorkload}: 1 M random 16-byte keys with
 * 100-byte values), and for comparison the Java heap that a {@code ConcurrentSkipListMap} of the
 * same entries takes. Runs in seconds; its one optional argument is the number of entries.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar org.skipstore.bench.MemtableFootprint [entries]
 * </pre>
 *
 * (with a JDK &ge; 22; {@code bench.sh} prints the one it found). Figures per entry:
 * <ul>
 *   <li>memtable, in nodes: {@link ConcurrentSkipList#memoryUsage()} (arena bytes handed out to
 *       nodes) divided by the entries, and what that is beyond the 116 bytes of key and value: the
 *       per-entry overhead, whose target is at most 48 bytes;</li>
 *   <li>memtable, held: {@link ConcurrentSkipList#memoryReserved()} (all arena chunks, including
 *       the unused tail of each shard's current chunk) divided by the entries;</li>
 *   <li>map: heap in use after a full collection with the map minus before it (the keys and
 *       values exist before, so this is the map's nodes and index only), then plus the key and
 *       value arrays it references. An estimate: it relies on {@code System.gc()} being a full
 *       collection (true for the default collector, G1).</li>
 * </ul>
 */
public final class MemtableFootprint {

    private MemtableFootprint() {
    }

    public static void main(String[] args) {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : MemtableWorkload.ENTRIES;
        int payload = MemtableWorkload.KEY_BYTES + MemtableWorkload.VALUE_BYTES;
        MemtableWorkload w = new MemtableWorkload(entries);
        byte[][] keys = w.keys();
        byte[][] values = w.values();

        try (ConcurrentSkipList memtable = new ConcurrentSkipList()) {
            for (int i = 0; i < entries; i++) {
                memtable.insert(keys[i], values[i]);
            }
            long n = memtable.size();
            System.out.printf(Locale.ROOT, "memtable (off-heap), %d entries of %d B key + %d B value:%n",
                    n, MemtableWorkload.KEY_BYTES, MemtableWorkload.VALUE_BYTES);
            line("in nodes (memoryUsage)", memtable.memoryUsage(), n, payload);
            line("held (memoryReserved)", memtable.memoryReserved(), n, payload);
        }

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = heapAfterGc(memory);
        ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(MemtableWorkload.UNSIGNED);
        for (int i = 0; i < entries; i++) {
            map.putIfAbsent(keys[i], values[i]);
        }
        long after = heapAfterGc(memory);
        if (map.size() != entries) {
            throw new IllegalStateException("the map holds " + map.size() + " entries, not " + entries);
        }
        long arrays = arrayBytes(MemtableWorkload.KEY_BYTES) + arrayBytes(MemtableWorkload.VALUE_BYTES);
        System.out.printf(Locale.ROOT, "ConcurrentSkipListMap<byte[], byte[]> (Java heap, estimate), %d entries:%n",
                map.size());
        line("nodes and index", after - before, entries, 0);
        line("with key and value arrays", after - before + arrays * entries, entries, payload);
        System.out.printf(Locale.ROOT,
                "  (a key array and a value array take %d B together, with 16-byte array headers)%n", arrays);
    }

    /** Prints {@code bytes} in all and per entry, and per entry beyond {@code payload} when it is not 0. */
    private static void line(String label, long bytes, long entries, int payload) {
        double perEntry = (double) bytes / entries;
        System.out.printf(Locale.ROOT, "  %-26s %10d B = %6.1f B/entry%s%n", label, bytes, perEntry,
                payload == 0 ? "" : String.format(Locale.ROOT, " = %d + %.1f B overhead", payload, perEntry - payload));
    }

    /** Heap bytes in use after a full collection (repeated until the figure settles). */
    private static long heapAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long u = memory.getHeapMemoryUsage().getUsed();
            if (u >= used) {
                return u;
            }
            used = u;
        }
        return used;
    }

    /** Heap bytes of a {@code byte[]} of {@code length}: 16-byte header, rounded up to 8 bytes. */
    private static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }
}
