package org.skipstore.bench.jmh;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;
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
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.WriteDurability;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.WriteTxn;

/**
 * Durable commits against their floor and their peers, in one run, on the same disk (a temporary
 * directory): the page layer's, and the engine's one-put commits.
 * <ul>
 *   <li>{@code floor}: one 4 KiB {@code FileChannel.write} plus {@code FileChannel.force(false)}
 *       into a preallocated file: one barrier, the least any durable commit can cost;
 *       {@code appendFloor}: a 145-byte append to a growing file plus the same force, the least a
 *       log that grows with its records can cost (the force also makes the new size durable);</li>
 *   <li>{@code pager}: a transaction that writes {@code pages} pages (1 or 64, in one block) and
 *       frees the block the previous one wrote, then commits with {@code durability}: SYNC (two
 *       phases, two forces, as LMDB), SYNC_SINGLE_BARRIER (one force, CRC-checked recovery), or
 *       NO_SYNC (no force: the cost of the commit machinery itself);</li>
 *   <li>{@code lmdb}: LMDB (lmdbjava) putting one value of {@code pages} x 4 KiB minus a little
 *       (so that it fills as many pages) and committing durably (default flags: two barriers).</li>
 *   <li>{@code engineCommit}: Skipstore's engine ({@code Skipstore}, default settings) committing
 *       one put (16-byte key, 100-byte value) with {@code WriteDurability.SYNC}: a log record
 *       written and forced, then the memtable; {@code rocksdbCommit}: RocksDB's one put with
 *       {@code WriteOptions.sync = true} (through its {@code KvStore} adapter: rocksdbjni is on
 *       the class path bench.sh makes, never in the jar);</li>
 *   <li>{@code engineConcurrentCommits}, {@code rocksdbConcurrentCommits}: four threads each
 *       committing one put at a time to one database, Skipstore with {@code GROUP} (threads that
 *       come together share a force), RocksDB with {@code sync = true} (its write groups do the
 *       same); throughput of all threads together.</li>
 * </ul>
 * Mode {@code SampleTime}: the score is the mean, and the percentiles (p0.50 is the median)
 * are printed with it. The forked JVM gets the flags lmdbjava needs; Skipstore needs none.
 *
 * <pre>
 *   bash bench/bench.sh jmh 'CommitBenchmark\.(floor|appendFloor|engineCommit|rocksdbCommit)$'   one-put commits, floors
 *   bash bench/bench.sh jmh 'CommitBenchmark\.(engine|rocksdb)ConcurrentCommits'     four committing threads
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens",
        "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class CommitBenchmark {

    static final int PAGE = 4096;

    static Path tempDir(String what) throws IOException {
        return Files.createTempDirectory("skipstore-bench-" + what);
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** One file in a temporary directory of its own, written at {@code position}; deleted after the trial. */
    public abstract static class OneFile {
        Path dir;
        FileChannel channel;
        long position;

        /** Creates the file; {@code preallocated}: with 64 MiB written and forced first. */
        void create(String name, boolean preallocated) throws IOException {
            dir = tempDir(name);
            channel = FileChannel.open(dir.resolve(name + ".bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; preallocated && at < 64L << 20; at += zeros.capacity()) { // as the page file is
                zeros.clear();
                channel.write(zeros, at);
            }
            channel.force(true);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            channel.close();
            delete(dir);
        }
    }

    /** The floor: one page written and forced, inside a preallocated file. */
    @State(Scope.Thread)
    public static class Floor extends OneFile {
        ByteBuffer page = ByteBuffer.allocateDirect(PAGE);

        @Setup(Level.Trial)
        public void open() throws IOException {
            create("floor", true);
        }
    }

    @Benchmark
    public long floor(Floor f) throws IOException {
        writeForced(f.channel, f.page, f.position);
        f.position = (f.position + PAGE) % (64L << 20);
        return f.position;
    }

    /** Writes {@code b} (its first word set to {@code position}) at {@code position}, then fdatasync. */
    static void writeForced(FileChannel channel, ByteBuffer b, long position) throws IOException {
        b.clear();
        b.putLong(0, position);
        channel.write(b, position);
        channel.force(false);
    }

    /** A file that grows by a log record per commit: what a log that is not preallocated pays. */
    @State(Scope.Thread)
    public static class Appended extends OneFile {
        /** About a one-put log record of the engine (16-byte key, 100-byte value, framing). */
        static final int RECORD = 145;
        ByteBuffer record = ByteBuffer.allocateDirect(RECORD);

        @Setup(Level.Trial)
        public void open() throws IOException {
            create("append", false);
        }
    }

    /**
     * One {@value Appended#RECORD}-byte append to a growing file plus {@code force(false)}: the
     * floor of a log whose every force also makes the file's new size durable (on ext4 a journal
     * commit), which the {@code floor} above, overwriting preallocated pages, does not pay.
     */
    @Benchmark
    public long appendFloor(Appended a) throws IOException {
        writeForced(a.channel, a.record, a.position);
        a.position += Appended.RECORD;
        return a.position;
    }

    /** A page store with one block rewritten per transaction. */
    @State(Scope.Thread)
    public static class Store {
        @Param({"SYNC", "SYNC_SINGLE_BARRIER", "NO_SYNC"})
        Durability durability;

        @Param({"1", "64"})
        int pages;

        Path dir;
        Pager pager;
        int order;
        long block;
        long counter;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("pager");
            pager = PageFiles.open(dir.resolve("store.db"), PAGE, durability, true, Pager.Hook.NONE);
            order = Integer.numberOfTrailingZeros(pages);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            System.out.println("[pager " + durability + ", " + pages + " pages: " + pager.stats() + "]");
            pager.close();
            delete(dir);
        }
    }

    @Benchmark
    public long pager(Store s) throws IOException {
        try (WriteTxn t = s.pager.begin()) {
            long b = t.allocate(s.order);
            MemorySegment seg = t.write(b);
            long c = ++s.counter;
            for (long at = 0; at < seg.byteSize(); at += PAGE) { // touch every page, as a real write would
                seg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, at, c);
            }
            if (s.block != 0) {
                t.free(s.block, s.order);
            }
            t.setRoot(0, b);
            t.commit();
            s.block = b;
            return b;
        }
    }

    /** One store shared by the committing threads of {@link #concurrentCommits}. */
    @State(Scope.Benchmark)
    public static class SharedStore {
        @Param({"SYNC", "GROUP"})
        Durability shared;

        Path dir;
        Pager pager;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("shared");
            pager = PageFiles.open(dir.resolve("store.db"), PAGE, shared, true, Pager.Hook.NONE);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            System.out.println("[pager " + shared + ", 4 threads: " + pager.stats() + "]");
            pager.close();
            delete(dir);
        }
    }

    /** A committing thread's last block, freed by its next commit. */
    @State(Scope.Thread)
    public static class LastBlock {
        long block;
    }

    /**
     * Four threads committing 1-page transactions to one store: with GROUP, commits that arrive
     * while a force is under way share the next one. Throughput of all threads together.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @org.openjdk.jmh.annotations.Threads(4)
    public long concurrentCommits(SharedStore s, LastBlock last) throws IOException {
        try (WriteTxn t = s.pager.begin()) {
            long b = t.allocate(0);
            t.write(b).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, b);
            if (last.block != 0) {
                t.free(last.block, 0);
            }
            t.commit();
            last.block = b;
            return b;
        }
    }

    /** LMDB with one database; each commit puts one value of about {@code pages} pages. */
    @State(Scope.Thread)
    public static class Lmdb {
        @Param({"1", "64"})
        int pages;

        Path dir;
        Env<ByteBuffer> env;
        Dbi<ByteBuffer> db;
        ByteBuffer key = ByteBuffer.allocateDirect(16);
        ByteBuffer value;
        long counter;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = tempDir("lmdb");
            env = Env.create().setMapSize(1L << 30).setMaxDbs(1).open(dir.toFile());
            db = env.openDbi("bench", DbiFlags.MDB_CREATE);
            // One page of LMDB holds a value of up to about 2 KiB; larger ones go to overflow pages:
            // (pages x 4 KiB - 64) bytes fill exactly `pages` overflow pages.
            value = ByteBuffer.allocateDirect(pages == 1 ? 1900 : pages * PAGE - 64);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            env.close();
            delete(dir);
        }
    }

    @Benchmark
    public long lmdb(Lmdb l) {
        try (Txn<ByteBuffer> txn = l.env.txnWrite()) {
            l.key.clear();
            l.key.putLong(0, l.counter++ % 64).putLong(8, 0);
            l.value.putLong(0, l.counter);
            l.value.clear();
            l.db.put(txn, l.key, l.value);
            txn.commit();
        }
        return l.counter;
    }

    // ---- the engine ------------------------------------------------------------------------------

    @Benchmark
    public long engineCommit(CommitStates.Database d, CommitStates.OnePut p) {
        d.db.write(p.batch.clear().put(p.next(), p.value), WriteDurability.SYNC);
        return p.counter;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @org.openjdk.jmh.annotations.Threads(4)
    public long engineConcurrentCommits(CommitStates.Database d, CommitStates.OnePut p) {
        d.db.write(p.batch.clear().put(p.next(), p.value), WriteDurability.GROUP);
        return p.counter;
    }

    @Benchmark
    public long rocksdbCommit(CommitStates.Rocks r, CommitStates.OnePut p) throws IOException {
        r.db.commitOne(p.next(), p.value);
        return p.counter;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @org.openjdk.jmh.annotations.Threads(4)
    public long rocksdbConcurrentCommits(CommitStates.Rocks r, CommitStates.OnePut p) throws IOException {
        r.db.commitOne(p.next(), p.value);
        return p.counter;
    }
}
