package org.skipstore.bench.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.skipstore.bench.report.ReportData;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.SkipstoreKv;

/**
 * The phases of one engine, in order ({@link Options#phases}). A fill makes a new structure
 * (a store: in a new directory under the run's root); the read, overwrite and mixed phases use
 * the last one (filling one first, untimed, when no fill came before); the commit and group
 * phases ({@link Commits}) and skipstore's own ({@link Sustained}, {@link Replay}) make their
 * own. Each phase prints its line when it ends ({@link Progress#line}).
 */
final class Run {

    private final Options o;
    private final String engineName;
    private final boolean isStore;
    private final int num;
    private final Path root;
    private final int[] permutation;
    private final boolean quiet;
    private KvEngine store;
    /** Whether the last store's background work was waited for (the read phases wait for it first). */
    private boolean quiesced;
    /** Whether the last store was settled (the -flushed read phases settle it first). */
    private boolean settled;
    /** Directories made so far by every run of this process: each store's is new (none is deleted before the end). */
    private static final AtomicInteger DIRECTORIES = new AtomicInteger();
    /** Skipstore's own reports, when its phases ran. */
    Sustained.Report sustained;
    Replay.Report replay;

    /** {@code quiet}: a warm-up, which prints no lines. */
    Run(Options o, String engineName, Path root, boolean quiet) {
        this.o = o;
        this.engineName = engineName;
        this.isStore = KvEngine.isStore(engineName);
        this.num = o.entries(engineName);
        this.root = root;
        this.quiet = quiet;
        this.permutation = permutation(num, o.seed());
    }

    /** A random order of {@code 0 .. n-1} (Fisher-Yates). */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    List<Result> all() throws InterruptedException, IOException {
        List<Result> out = new ArrayList<>();
        try {
            for (String b : o.phases(engineName)) {
                for (Result r : phase(b)) {
                    out.add(r);
                    if (!quiet) {
                        Progress.line(r.label(), r.engine(), r.ops(), r.nanos(), r.latency() == null ? ""
                                : r.latency().describe());
                    }
                }
            }
        } finally {
            closeStore();
        }
        return out;
    }

    /**
     * Key {@code i} as RocksDB's db_bench makes it ({@code GenerateKeyFromInt}): the index
     * big-endian in the first 8 bytes, then ASCII '0' padding; keys sort in index order.
     */
    static void key(byte[] k, long i) {
        for (int b = 0; b < 8; b++) {
            k[b] = (byte) (i >>> (56 - 8 * b));
        }
        for (int b = 8; b < k.length; b++) {
            k[b] = '0';
        }
    }

    /**
     * Value {@code i} of a store: pseudo-random bytes from a SplitMix64 stream that starts at a
     * point of its own for each value ({@code mix(i)}), so that no two values share a run of bytes
     * and no engine's compression has an easy time with them.
     */
    static void storeValue(byte[] v, long i) {
        long z = mix(i ^ 0x6A09E667F3BCC909L);
        for (int at = 0; at < v.length; at += 8) {
            long x = mix(z += 0x9E3779B97F4A7C15L);
            for (int b = at; b < Math.min(at + 8, v.length); b++, x >>>= 8) {
                v[b] = (byte) x;
            }
        }
    }

    /** Value {@code i}: a store's ({@link #storeValue}); in memory zeros but the first byte (the content does not matter). */
    private void value(byte[] v, long i) {
        if (isStore) {
            storeValue(v, i);
        } else {
            v[0] = (byte) i;
        }
    }

    /** SplitMix64's finalizer: a bijection of {@code long} that scatters consecutive inputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The results of phase {@code b}: one, or one per thread count of {@code --threads}. */
    private List<Result> phase(String b) throws InterruptedException, IOException {
        return switch (b) {
            case "fillseq" -> List.of(fill(b, false));
            case "fillrandom" -> List.of(fill(b, true));
            case "overwrite" -> List.of(writes(b));
            case "readrandom" -> List.of(reads(quiesced(b)));
            case "readseq" -> List.of(scan(quiesced(b), false));
            case "readreverse" -> List.of(scan(quiesced(b), true));
            case "readrandom-flushed" -> List.of(reads(settled(b)));
            case "readseq-flushed" -> List.of(scan(settled(b), false));
            case "readreverse-flushed" -> List.of(scan(settled(b), true));
            case "mixed" -> o.threads().stream().map(t -> mixed(b, t)).toList();
            case "commit" -> List.of(new Commits(o, engineName, progress(b, o.commits())).commit(newStore(
                    KvStore.Writes.PER_PUT), root));
            case "group" -> {
                KvEngine.Store s = newStore(KvStore.Writes.GROUP);
                Result r = new Commits(o, engineName, progress(b, o.groupNum())).group(s);
                note("group", "after it", -1, s.store().details());
                yield List.of(r);
            }
            case "sustained" -> {
                sustained = new Sustained(o, root, quiet).run();
                yield List.of(sustained.result());
            }
            case "replay" -> {
                replay = new Replay(o, newDirectory(), quiet).run();
                yield List.of(replay.result());
            }
            default -> throw new IllegalArgumentException(b);
        };
    }

    private Progress progress(String phase, long ops) {
        return quiet ? Progress.quiet(phase, ops) : new Progress(phase + " " + engineName, ops, o.progress());
    }

    private void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    private Path newDirectory() {
        try {
            return Files.createDirectory(root.resolve(engineName + "-" + DIRECTORIES.getAndIncrement()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty store (closing the last one) whose batches go as {@code writes} says. */
    private KvEngine.Store newStore(KvStore.Writes writes) {
        closeStore();
        try {
            KvEngine.Store s = new KvEngine.Store(engineName, newDirectory(), o.batch(), writes);
            store = s;
            quiesced = false;
            settled = false;
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KvEngine fresh() {
        if (isStore) {
            return newStore(o.writes());
        }
        closeStore();
        store = KvEngine.create(engineName);
        return store;
    }

    private KvEngine existing() {
        if (store == null) { // a read phase without a fill before it: fill first, untimed
            fill("fillrandom", true);
        }
        return store;
    }

    /**
     * Phase {@code name} of a store as the fill left it, after its background work ended (once;
     * untimed, its time and the store's state printed), so that the phase reads one state.
     */
    private String quiesced(String name) {
        KvEngine s = existing();
        if (!quiesced && !settled && s instanceof KvEngine.Store st) {
            long t0 = System.nanoTime();
            st.quiesce();
            quiesced = true;
            note("quiesce", "background work waited for", System.nanoTime() - t0, st.store().details());
        }
        return name;
    }

    /** Phase {@code name}, after settling the store (once; untimed, its time and state printed). */
    private String settled(String name) {
        KvEngine s = existing();
        if (!settled && s instanceof KvEngine.Store st) {
            long t0 = System.nanoTime();
            st.settle();
            settled = true;
            String what = st.store() instanceof SkipstoreKv ? "flush()" : engineName.equals("rocksdb")
                    ? "flush and compactRange()" : "nothing to do";
            note("settle", what, System.nanoTime() - t0, st.store().details());
        }
        return name;
    }

    /** A line on a step between phases: what it did, how long it took (unless {@code nanos} < 0), the store's state. */
    private void note(String step, String what, long nanos, String details) {
        if (!quiet) {
            Progress.note(String.format(Locale.ROOT, "%-20s %-10s %s%s%s", step, engineName, what,
                    nanos < 0 ? "" : String.format(Locale.ROOT, ": %.2f s", nanos / 1e9),
                    details.isEmpty() ? "" : "; " + details));
        }
    }

    /**
     * A fill. A store's random fill times each put too ({@link PutTimeline}: two clock reads a
     * put, about 50 ns, against puts of microseconds: no change beyond noise), for the report's
     * put latency over time per engine; the others are timed as a whole only. No JFR stream runs
     * here (the engine's flushes and stalls are marked on the sustained fill's timeline): streaming
     * them during this fill took 10-15 % of the engine's puts/s on 2 cores, where its flusher
     * shares the cores with the stream's threads. The heap is measured after the timeline let its
     * arrays go.
     */
    private Result fill(String name, boolean random) {
        KvEngine s = fresh();
        long heapBefore = DbBench.usedHeap();
        Result r;
        try (PutTimeline timeline = isStore && random && !quiet ? new PutTimeline(num, o.batch(), null) : null) {
            if (timeline != null) {
                timeline.start();
            }
            r = timed(name, num, 1, (t, done) -> {
                byte[] k = new byte[o.keySize()];
                byte[] v = new byte[o.valueSize()];
                for (int i = 0; i < num; i++) {
                    int n = random ? permutation[i] : i;
                    key(k, n);
                    value(v, n);
                    if (timeline == null) {
                        s.put(k, v);
                    } else {
                        long t0 = timeline.begin(i);
                        s.put(k, v);
                        timeline.end(t0);
                    }
                    done.report(i);
                }
                s.endWrites(); // the last commit of a store
            });
            if (timeline != null) {
                r = r.withLatency(timeline.latencies().summary(), null).withTimeline(timeline.timeline(engineName,
                        "put latency during " + name + ", a durable commit every " + o.batch() + " puts"));
            }
        }
        long heap = DbBench.usedHeap() - heapBefore;
        return r.withSize(s.memoryBytes() >= 0 ? s.memoryBytes() : heap).withFootprint(footprint(s, name, heap));
    }

    /**
     * Bytes per entry after fill {@code name}: in memory outside the heap (the memtable's arena;
     * a store's memtables and caches, {@link KvStore#offHeapBytes}), on the heap (what the fill
     * added, after collections), and in files (a store's).
     */
    private ReportData.SizeRow footprint(KvEngine s, String name, long heap) {
        double n = num;
        name += isStore ? ", stores" : ", in memory"; // a chart compares one kind: a memtable is no store
        double onHeap = Math.max(0, heap) / n;
        if (s instanceof KvEngine.Store st) {
            long offHeap = st.offHeapBytes();
            return new ReportData.SizeRow(engineName, name, offHeap < 0 ? Double.NaN : offHeap / n, onHeap,
                    s.memoryBytes() < 0 ? Double.NaN : s.memoryBytes() / n);
        }
        return new ReportData.SizeRow(engineName, name, s.memoryBytes() < 0 ? 0 : s.memoryBytes() / n, onHeap,
                Double.NaN);
    }

    private Result writes(String name) {
        KvEngine s = existing();
        return timed(name, num, 1, (t, done) -> {
            byte[] k = new byte[o.keySize()];
            byte[] v = new byte[o.valueSize()];
            SplittableRandom r = new SplittableRandom(o.seed() + 7);
            for (int i = 0; i < num; i++) {
                key(k, r.nextInt(num));
                v[0] = (byte) ~i;
                s.put(k, v);
                done.report(i);
            }
            s.endWrites();
        });
    }

    private Result reads(String name) {
        KvEngine s = existing();
        return timed(name, num, 1, (t, done) -> {
            byte[] k = new byte[o.keySize()];
            SplittableRandom r = new SplittableRandom(o.seed() + 11);
            for (int i = 0; i < num; i++) {
                int n = r.nextInt(num);
                key(k, n);
                if (!s.get(k)) {
                    throw new IllegalStateException(engineName + ": key " + Integer.toHexString(n) + " not found");
                }
                done.report(i);
            }
        });
    }

    private Result scan(String name, boolean reverse) {
        KvEngine s = existing();
        long[] n = new long[1];
        Result r = timed(name, num, 1, (t, done) -> n[0] = reverse ? s.scanReverse() : s.scan());
        if (n[0] != num) {
            throw new IllegalStateException(engineName + ": " + name + " visited " + n[0] + " entries, " + num
                    + " were written");
        }
        return new Result(r.benchmark(), r.engine(), n[0], r.nanos());
    }

    private Result mixed(String name, int threads) {
        KvEngine s = existing();
        int per = num / threads;
        return timed(name, (long) per * threads, threads, (t, done) -> {
            byte[] k = new byte[o.keySize()];
            byte[] v = new byte[o.valueSize()];
            SplittableRandom r = new SplittableRandom(o.seed() * 31 + t);
            for (int i = 0; i < per; i++) {
                key(k, r.nextInt(num));
                if (r.nextInt(100) < o.readPercent()) {
                    s.get(k);
                } else {
                    s.put(k, v);
                }
                done.report(i);
            }
        }).withThreads(threads);
    }

    /** Runs {@code body} on {@code threads} threads at once and times the whole. */
    private Result timed(String name, long ops, int threads, Body body) {
        Progress progress = progress(name, ops);
        long nanos = Workers.run(name + "-" + engineName, threads, t -> body.run(t, progress));
        progress.finish();
        return new Result(name, engineName, ops, nanos);
    }

    @FunctionalInterface
    interface Body {
        void run(int thread, Progress done);
    }
}
