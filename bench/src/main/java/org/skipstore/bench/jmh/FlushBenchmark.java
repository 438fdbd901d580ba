package org.skipstore.bench.jmh;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.skipstore.bench.store.Stores;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.WriteTransaction;

/**
 * The engine's flush: a sorted run of {@code run} entries (default 500 k; {@value #KEY_BYTES}-byte
 * random keys, {@value #VALUE_BYTES}-byte values, in native memory as a sealed memtable holds
 * them) written into a {@link PageStore} ({@link Durability#SYNC}, the defaults otherwise) in
 * one write transaction, in ascending key order, with {@link WriteTransaction#put(MemorySegment,
 * MemorySegment)} and, for a tombstone, {@link WriteTransaction#delete(MemorySegment)}, then one
 * commit metadata value and the one durable commit: the loop the engine's flush runs.
 *
 * <ul>
 *   <li>{@code base}: entries the store holds before the flush, random keys (0: an empty store;
 *       1 M: the run's keys land all over the tree, several per partition of level 0). The base
 *       store is filled once per trial (untimed, in commits of 100 k) and copied for every
 *       invocation, outside the measurement.</li>
 *   <li>{@code deletes}: the percentage of the run's entries that are tombstones, half of them
 *       for keys the base holds and half for keys it does not (all absent when the base is
 *       empty).</li>
 * </ul>
 * Mode {@code Throughput}: the primary score is flushes per second, the secondary one
 * {@code :entry} (the {@link AuxCounters} counter of {@link StoreBenchmark.Entries}) entries per
 * second, the figure to compare. Each invocation checks the store's count after the commit
 * (outside the measurement), so a flush that lost or invented entries fails the run. The store
 * is opened fresh for each flush: its first reads map the pages and check each block's CRC32C
 * once, which a store that has been open for a while (or that wrote those blocks) does not.
 *
 * <pre>
 *   bash bench/bench.sh jmh FlushBenchmark -f 1 -wi 2 -i 3
 *   bash bench/bench.sh jmh FlushBenchmark -p base=1000000 -p deletes=10 -prof jfr
 * </pre>
 * {@code -jvmArgsAppend -Dskipstore.bench.dir=/some/disk} puts the stores on another disk.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx4g"})
public class FlushBenchmark {

    public static final int KEY_BYTES = 16;
    public static final int VALUE_BYTES = 100;
    /** Puts per commit of the untimed base fill. */
    static final int BASE_BATCH = 100_000;
    static final String FILE = "store.skip";

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The base store (filled once) and the sorted run, in native memory. */
    @State(Scope.Benchmark)
    public static class Run {
        @Param({"0", "1000000"})
        public int base;

        @Param({"500000"})
        public int run;

        @Param({"0", "10"})
        public int deletes;

        Path root;
        Path baseFile;
        /** The run's keys, then values, entry {@code i} at {@code i * (KEY_BYTES + VALUE_BYTES)}. */
        MemorySegment entries;
        /** Whether entry {@code i} is a tombstone. */
        boolean[] tombstone;
        /** Entries in the store after the flush. */
        long expected;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            String dir = System.getProperty("skipstore.bench.dir");
            root = Stores.tempDirectory(dir == null ? null : Path.of(dir), "skipstore-flushbench-");
            SplittableRandom r = new SplittableRandom(42);
            long[][] baseKeys = randomKeys(r, base);
            baseFile = root.resolve("base-" + FILE);
            try (PageStore s = open(baseFile)) {
                fillBase(s, baseKeys, r);
            }
            buildRun(r, baseKeys);
        }

        private void fillBase(PageStore s, long[][] keys, SplittableRandom r) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment k = a.allocate(KEY_BYTES);
                MemorySegment v = a.allocate(VALUE_BYTES);
                WriteTransaction t = s.write();
                for (int i = 0; i < keys.length; i++) {
                    setKey(k, 0, keys[i]);
                    fillValue(v, 0, r.nextLong());
                    t.put(k, v);
                    if ((i + 1) % BASE_BATCH == 0) {
                        t.commit();
                        t = s.write();
                    }
                }
                t.commit();
            }
        }

        /**
         * The run: {@code run} entries sorted by key; {@code deletes} percent are tombstones, half
         * of base keys (when there are any), the rest of new keys.
         */
        private void buildRun(SplittableRandom r, long[][] baseKeys) {
            int dels = (int) ((long) run * deletes / 100);
            int delExisting = baseKeys.length == 0 ? 0 : dels / 2;
            long[][] keys = new long[run][];
            boolean[] dead = new boolean[run];
            long[][] fresh = randomKeys(r, run - delExisting);
            for (int i = 0; i < run - delExisting; i++) {
                keys[i] = fresh[i];
                dead[i] = i < dels - delExisting;
            }
            int[] picks = r.ints(0, baseKeys.length == 0 ? 1 : baseKeys.length).distinct().limit(delExisting).toArray();
            for (int i = 0; i < delExisting; i++) {
                keys[run - delExisting + i] = baseKeys[picks[i]];
                dead[run - delExisting + i] = true;
            }
            Integer[] order = new Integer[run];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (x, y) -> compare(keys[x], keys[y]));
            entries = Arena.global().allocate((long) run * (KEY_BYTES + VALUE_BYTES), 8);
            tombstone = new boolean[run];
            for (int i = 0; i < run; i++) {
                setKey(entries, (long) i * (KEY_BYTES + VALUE_BYTES), keys[order[i]]);
                fillValue(entries, (long) i * (KEY_BYTES + VALUE_BYTES) + KEY_BYTES, r.nextLong());
                tombstone[i] = dead[order[i]];
            }
            // Fresh keys are new (random 128-bit keys do not collide); base keys deleted are gone.
            expected = (long) baseKeys.length + (run - dels) - delExisting;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            Stores.deleteTree(root);
        }
    }

    /** A copy of the base store for each invocation, checked and deleted after it. */
    @State(Scope.Thread)
    public static class Target {
        PageStore store;
        Path dir;
        int copies;

        @Setup(Level.Invocation)
        public void open(Run r) throws IOException {
            dir = Files.createDirectory(r.root.resolve("flush-" + copies++));
            Files.copy(r.baseFile, dir.resolve(FILE));
            store = FlushBenchmark.open(dir.resolve(FILE));
        }

        @TearDown(Level.Invocation)
        public void close(Run r) throws IOException {
            try {
                if (store.count() != r.expected) {
                    throw new IllegalStateException("the flush left " + store.count() + " entries, not " + r.expected);
                }
            } finally {
                store.close();
                Stores.deleteTree(dir);
            }
        }
    }

    /** The flush: every entry of the run in ascending order, a metadata value, one durable commit. */
    @Benchmark
    public long flush(Run r, Target t, StoreBenchmark.Entries e) {
        long stride = KEY_BYTES + VALUE_BYTES;
        try (WriteTransaction w = t.store.write()) {
            for (int i = 0; i < r.run; i++) {
                MemorySegment key = r.entries.asSlice(i * stride, KEY_BYTES);
                if (r.tombstone[i]) {
                    w.delete(key);
                } else {
                    w.put(key, r.entries.asSlice(i * stride + KEY_BYTES, VALUE_BYTES));
                }
            }
            w.putMetadata("flushed", new byte[8]);
            w.commit();
        }
        e.entry += r.run;
        return r.run;
    }

    static PageStore open(Path file) {
        return PageStore.builder().durability(Durability.SYNC).open(file);
    }

    /** {@code n} random 16-byte keys, as two longs each (compared as unsigned big-endian bytes). */
    static long[][] randomKeys(SplittableRandom r, int n) {
        long[][] k = new long[n][];
        for (int i = 0; i < n; i++) {
            k[i] = new long[] {r.nextLong(), r.nextLong()};
        }
        return k;
    }

    static int compare(long[] a, long[] b) {
        int c = Long.compareUnsigned(a[0], b[0]);
        return c != 0 ? c : Long.compareUnsigned(a[1], b[1]);
    }

    static void setKey(MemorySegment s, long at, long[] key) {
        s.set(WORD, at, key[0]); // big-endian: the bytes sort as the unsigned longs do
        s.set(WORD, at + 8, key[1]);
    }

    static void fillValue(MemorySegment s, long at, long seed) {
        for (int b = 0; b < VALUE_BYTES; b += 8) {
            long z = MemtableWorkload.mix(seed + b);
            for (int k = 0; k < 8 && b + k < VALUE_BYTES; k++, z >>>= 8) {
                s.set(ValueLayout.JAVA_BYTE, at + b + k, (byte) z);
            }
        }
    }
}
