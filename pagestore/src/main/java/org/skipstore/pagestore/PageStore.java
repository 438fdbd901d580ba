package org.skipstore.pagestore;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.skipstore.pagestore.StoreException.Problem;
import org.skipstore.pagestore.internal.Checker;
import org.skipstore.pagestore.internal.Chunks;
import org.skipstore.pagestore.internal.MemoryPageFile;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.PagerStats;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.WriteTxn;
import org.skipstore.pagestore.internal.bskip.Levels;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.bskip.TreeChecker;
import org.skipstore.pagestore.internal.bskip.TreeWriter;

/**
 * A durable, ordered key-value store in one memory-mapped file: a B-skip-list of packed
 * partitions on copy-on-write pages, committed with a two-phase (or checksummed single-barrier,
 * or group) commit. Keys are ordered as unsigned bytes ({@link org.skipstore.core.Keys}).
 *
 * <pre>{@code
 * try (PageStore store = PageStore.open(Path.of("data.skip"))) {
 *     store.put(key, value);                          // one committed transaction
 *     byte[] v = store.get(key);
 *     try (WriteTransaction txn = store.write()) {    // several changes, atomically
 *         txn.put(k1, v1);
 *         txn.delete(k2);
 *         txn.commit();
 *     }
 *     try (ReadTransaction txn = store.read()) {      // a snapshot: zero-copy reads
 *         txn.scan(Range.closedOpen(from, to), (k, val) -> { use(k, val); return true; });
 *     }
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * The store is thread-safe. One write transaction is open at a time: {@link #write()} on another
 * thread waits for it, while on the thread that holds it {@link #write()}, and so an
 * auto-committing {@link #put} or {@link #delete} (write transactions of their own), throws
 * {@link IllegalStateException}: make the change in the open transaction, or end it first. Any
 * number of read transactions, each for one thread, read their snapshots meanwhile without
 * blocking or being blocked; {@link #get} and {@link #scan} read the last commit.
 *
 * <h2>The file and its lock</h2>
 * An open store holds {@code <name>.lock}, a file of its own beside the store, locked for as long
 * as the store is open: a second open of the store, in this process (also through a symbolic
 * link) or in another, fails with {@link Problem#LOCKED}, whatever else the application does
 * with the store's file. The lock file holds no data and stays when the store closes. The lock is
 * advisory (the operating system's record lock): programs that do not use it are not kept out.
 *
 * <h2>Checksums and damage</h2>
 * Every block of the store carries a CRC32C: partitions and out-of-line values in their first
 * bytes, the meta pages, free list and commit record in the meta. A block's is checked the first
 * time it is read after the store opens (blocks this open wrote itself are trusted), and
 * {@link #verify()} checks every block's. A read that
 * meets damage (a failed checksum, a reference leading out of its block, a file truncated while
 * open) throws a {@link StoreException} with {@link Problem#CORRUPT} or {@link Problem#TRUNCATED}
 * (wrapped in an {@link java.io.UncheckedIOException} where the method declares no
 * {@code IOException}), never returns other bytes, and the store refuses writes from then on:
 * a write would copy the damage into new blocks checksummed as good. Damage to a block already
 * read is found by the next open's reads or by {@link #verify()}.
 *
 * <h2>Limits</h2>
 * Keys: up to {@link #maxKeyBytes()} bytes, 1 KiB (a quarter page with pages above 4 KiB), the
 * empty key included. Values: up to {@link #maxValueBytes()}, 16384 pages (16 MiB with the
 * default 1 KiB pages, 64 MiB with 4 KiB pages); those above 1 KiB (or a quarter page) live out
 * of line, in runs of pages of their own. A null key or value is a
 * {@link NullPointerException}, a larger one an {@link IllegalArgumentException}; use after
 * {@link #close()} an {@link IllegalStateException} (or a {@link StoreException} with
 * {@link Problem#CLOSED} where the method throws {@code IOException}).
 *
 * <h2>Segment lifetime</h2>
 * A segment from a transaction's {@code get}, cursor or scan is a view of the store's pages,
 * valid while the transaction is open (a write transaction: until its next change, commit or
 * abort). Afterwards it stays readable, never a crash, until the store closes (then a file
 * store's throws {@link IllegalStateException}), but may show bytes of later commits: copy what
 * you keep; the {@code byte[]} methods copy. {@link Builder#checkedSegments(boolean)} makes a
 * late read throw instead ({@link Transaction} has the details).
 *
 * <h2>Durability</h2>
 * As {@link Builder#durability} says; the default is {@link Durability#SYNC}: a commit that
 * returned survives a crash. Whatever the mode, a crash never leaves a mixture of two commits.
 *
 * <p>(One file past 600 lines: the store's API with its nested {@link Builder} and {@link Stats},
 * which users name as {@code PageStore.Builder} and {@code PageStore.Stats}; the work is in the
 * internal packages.)
 */
public final class PageStore implements AutoCloseable {

    /**
     * The default page size, 1 KiB: partitions are runs of whole pages, so the smaller the page,
     * the less each partition wastes (at the default promotion a level-0 partition holds about
     * 20 entries, 2.4 KiB of 100-byte values: 81 % full in 1 KiB pages, 48 % in 4 KiB pages).
     * Pages smaller than the disk's physical sector rely, on power loss, on a write not damaging
     * the rest of its sector (SQLite's "powersafe overwrite" assumption); choose 4096 to rely on
     * nothing of the kind, or for values above 16 MiB.
     */
    public static final int DEFAULT_PAGE_SIZE = 1024;
    /** The default promotion probability is {@code 1/20}, as quark's. */
    public static final int DEFAULT_PROMOTION = 20;

    private static final System.Logger LOG = System.getLogger(PageStore.class.getName());

    private final Pager pager;
    private final Levels levels;
    private final String name;
    private final int maxKey;
    private final long maxValue;
    /** {@link Builder#checkedSegments(boolean)}. */
    final boolean checkedSegments;
    /** See {@link #writerBounds()}. */
    private MemorySegment writerBounds;

    private PageStore(Pager pager, Levels levels, String name, boolean checkedSegments) {
        this.pager = pager;
        this.checkedSegments = checkedSegments;
        this.levels = levels;
        this.name = name;
        this.maxKey = Tree.maxKeyBytes(pager.pageSize());
        // the largest run, less its checksum
        this.maxValue = Math.min(Integer.MAX_VALUE, ((long) pager.pageSize() << Chunks.MAX_ORDER) - Tree.VALUE_OFFSET);
    }

    /** Opens the store at {@code path}, creating it when missing, with the default options. */
    public static PageStore open(Path path) throws IOException {
        return builder().open(path);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for opening a store. */
    public static final class Builder {
        private int pageSize;
        private Durability durability = Durability.SYNC;
        private int promotion = DEFAULT_PROMOTION;
        private long preallocate;
        private long maxSize = Long.MAX_VALUE;
        private boolean create = true;
        private Long seed;
        private boolean checkedSegments;

        private Builder() {
        }

        /**
         * Bytes per page, a power of two from 512 to 1 MiB; default {@value #DEFAULT_PAGE_SIZE}
         * for a new store, and the store's own for an existing one.
         */
        public Builder pageSize(int bytes) {
            this.pageSize = bytes;
            return this;
        }

        /** What a commit promises about a crash; default {@link Durability#SYNC}. */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * The promotion probability {@code 1/b} of the B-skip-list, fixed when the store is
         * created: a partition holds about {@code b} nodes. Default {@value #DEFAULT_PROMOTION}.
         */
        public Builder promotion(int b) {
            if (b < 2 || b > 0xFFFF) {
                throw new IllegalArgumentException("promotion probability 1/" + b + ": b must be 2..65535");
            }
            this.promotion = b;
            return this;
        }

        /** Grows the file to at least this many bytes at open (written, so the space is there). */
        public Builder preallocate(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative preallocation " + bytes);
            }
            this.preallocate = bytes;
            return this;
        }

        /**
         * The file never grows past this many bytes: a write transaction that needs more fails
         * with {@link Problem#NO_SPACE} and can only be aborted (nothing committed is lost).
         * Default: no limit. The file grows in chunks that double up to 16384 pages (16 MiB at
         * 1 KiB pages), so it stops at the last chunk edge within the limit.
         *
         * <p>{@link #open} refuses a limit that could not hold, with an
         * {@link IllegalArgumentException} naming both sizes: below the smallest store (16 pages),
         * below the size the file has already (a file never shrinks), or below what
         * {@link #preallocate} would grow it to. Nothing is created or changed then.
         *
         * <p>Space freed by deletes is reused. In {@link Durability#NO_SYNC} (and {@code GROUP})
         * a commit's freed blocks wait for the next checkpoint; a store that reaches its limit
         * makes that checkpoint itself, so a full store still takes deletes. Blocks that open read
         * transactions still read are not reused until they close; the {@code NO_SPACE} message
         * says how much is free and how much is held.
         */
        public Builder maxSize(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maximum size " + bytes);
            }
            this.maxSize = bytes;
            return this;
        }

        /** Whether {@link #open} creates a missing file (default true). */
        public Builder createIfMissing(boolean create) {
            this.create = create;
            return this;
        }

        /**
         * Whether every segment a transaction hands out ({@link Transaction#get(MemorySegment)},
         * {@link Cursor#key()} and {@link Cursor#value()}, a scan's {@link Transaction.Visitor})
         * is a copy that dies with it, so that a read after its lifetime throws
         * {@link IllegalStateException} instead of showing whatever the pages hold by then:
         * a mode for tests and debugging, default false.
         *
         * <p>The copies die when the transaction closes, commits or aborts; in a write
         * transaction also at its next change (put or delete), as its views would; a scan's
         * when the scan returns (not at the end of each call, which would take an arena per
         * entry). The cost: each segment handed out is copied (a 16 MiB value too), into
         * native memory held until then (a scan holds all it visited until it returns), and a
         * transaction or scan that handed any out closes a shared arena when it ends, which
         * takes microseconds (a handshake with the JVM's threads). The {@code byte[]} point
         * reads ({@code get}, {@code keyBytes}, {@code valueBytes}) copy once, as in the default
         * mode. Without it, segments are views of the pages, readable after their lifetime but
         * perhaps showing later data ({@link Transaction}, "Segment lifetime").
         */
        public Builder checkedSegments(boolean checked) {
            this.checkedSegments = checked;
            return this;
        }

        /** The hash seed of the levels for a new store; default random. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Opens (or creates) the store file at {@code path}, recovering the last commit a crash
         * left whole.
         *
         * @throws StoreException naming the {@link Problem}: not a store, corrupt, truncated,
         *                        another page size, locked by another open, ...
         */
        public PageStore open(Path path) throws IOException {
            Objects.requireNonNull(path, "path");
            if (pageSize != 0 || !Files.exists(path)) { // before a new file is made
                checkMaxSize(Chunks.MIN_PAGES * (pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize), "the smallest store");
            }
            Pager pager = pageSize == 0
                    ? PageFiles.openRecorded(path, DEFAULT_PAGE_SIZE, durability, create, Pager.Hook.NONE)
                    : PageFiles.open(path, pageSize, durability, create, Pager.Hook.NONE);
            return on(pager, path.toString());
        }

        /** A store in memory only, for tests and scratch data: nothing survives {@link #close()}. */
        public PageStore openInMemory() throws IOException {
            int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize;
            return on(Pager.create(new MemoryPageFile(size), durability, Pager.Hook.NONE), "(in memory)");
        }

        /** A store on a pager the caller made (tests: fault-injecting files). */
        PageStore on(Pager pager, String name) throws IOException {
            try {
                if (maxSize != Long.MAX_VALUE) {
                    checkMaxSize(pager.file().pageCount() * pager.pageSize(), "the file's size");
                    long pages = (preallocate + pager.pageSize() - 1) / pager.pageSize();
                    long c = Chunks.MIN_PAGES;
                    while (c < pages) {
                        c = Chunks.next(c);
                    }
                    checkMaxSize(c * pager.pageSize(), "the size preallocate(" + preallocate + ") grows the file to");
                    pager.limitPages(maxSize / pager.pageSize());
                }
                if (preallocate > 0) {
                    pager.preallocate((preallocate + pager.pageSize() - 1) / pager.pageSize());
                }
                return new PageStore(pager, levelsOf(pager), name, checkedSegments);
            } catch (IOException | RuntimeException e) {
                pager.close();
                throw e;
            }
        }

        /** Refuses a {@link #maxSize} below {@code bytes}, which {@code what} names. */
        private void checkMaxSize(long bytes, String what) {
            if (maxSize < bytes) {
                throw new IllegalArgumentException("maxSize(" + maxSize + ") is below " + what + ", " + bytes
                        + " bytes: the limit could not hold");
            }
        }

        /** The levels of the store: from its root words, or (a new store) set now. */
        private Levels levelsOf(Pager pager) throws IOException {
            long format = pager.committed().root(Tree.ROOT_FORMAT);
            if (format == 0) {
                for (int i = 0; i <= Tree.ROOT_SEED; i++) {
                    if (pager.committed().root(i) != 0) {
                        throw new StoreException(Problem.CORRUPT, "the store has data but no B-skip-list format word");
                    }
                }
                long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
                try (WriteTxn txn = pager.begin()) {
                    txn.setRoot(Tree.ROOT_FORMAT, Tree.formatWord(promotion));
                    txn.setRoot(Tree.ROOT_SEED, s);
                    txn.commit();
                }
                return new Levels(s, promotion);
            }
            if (format >>> 32 != Tree.FORMAT_MAGIC) {
                throw new StoreException(Problem.NOT_A_STORE, "the file holds another structure than a B-skip-list");
            }
            int version = (int) (format >>> 16 & 0xFFFF);
            if (version != Tree.FORMAT_VERSION) {
                throw new StoreException(Problem.VERSION, "B-skip-list format version " + version + ", this code reads "
                        + Tree.FORMAT_VERSION);
            }
            int b = (int) (format & 0xFFFF);
            if (b < 2) {
                throw new StoreException(Problem.CORRUPT, "promotion probability 1/" + b + " in the format word");
            }
            return new Levels(pager.committed().root(Tree.ROOT_SEED), b);
        }
    }

    // ---- auto-committing operations ----------------------------------------------------------------

    /** Sets {@code key} to {@code value} in a transaction of its own, committed before it returns. */
    public void put(byte[] key, byte[] value) throws IOException {
        put(key(key), segment(value));
    }

    public void put(MemorySegment key, MemorySegment value) throws IOException {
        MemorySegment k = checkKey(key); // checked before waiting for the writer; native: not copied again
        checkValue(value);
        try (WriteTransaction txn = write()) {
            txn.put(k, value);
            txn.commit();
        }
    }

    /** Removes {@code key} in a transaction of its own; returns whether it was there. */
    public boolean delete(byte[] key) throws IOException {
        return delete(key(key));
    }

    public boolean delete(MemorySegment key) throws IOException {
        MemorySegment k = checkKey(key);
        try (WriteTransaction txn = write()) {
            boolean had = txn.delete(k);
            if (had) {
                txn.commit();
            }
            return had;
        }
    }

    /** A copy of the value of {@code key} in the last commit, or null. */
    public byte[] get(byte[] key) {
        return get(key(key));
    }

    public byte[] get(MemorySegment key) {
        try (ReadTransaction txn = read()) {
            MemorySegment v = txn.find(key); // copied here: no checked-mode copy first
            return v == null ? null : v.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The entries with {@code from <= key < to} in the last commit, copied; a null bound is open. */
    public List<KeyValue> scan(byte[] from, byte[] to) {
        Range r = from == null ? (to == null ? Range.all() : Range.lessThan(to))
                : to == null ? Range.atLeast(from) : Range.closedOpen(from, to);
        try (ReadTransaction txn = read()) {
            return txn.list(r);
        }
    }

    /** Entries in the last commit. */
    public long count() {
        try (ReadTransaction txn = read()) {
            return txn.count();
        }
    }

    // ---- transactions ---------------------------------------------------------------------------

    /** Begins the write transaction; waits while another is open. */
    public WriteTransaction write() throws IOException {
        return new WriteTransaction(this, pager.begin());
    }

    /**
     * Native room the writer keeps copies of keys in ({@link TreeWriter}): one for the store, as
     * write transactions come one at a time. Called with the pager's write lock held, which
     * guards it.
     */
    MemorySegment writerBounds() {
        if (writerBounds == null) {
            writerBounds = Arena.ofAuto().allocate(TreeWriter.boundsBytes(pager.pageSize()));
        }
        return writerBounds;
    }

    /** Begins a read transaction on the last commit. */
    public ReadTransaction read() {
        checkOpen();
        try {
            return new ReadTransaction(this, pager.read());
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    // ---- maintenance ------------------------------------------------------------------------------

    /**
     * Makes every commit so far durable now (for {@link Durability#NO_SYNC}, whose commits are
     * otherwise forced at checkpoints; in the other modes they are already).
     */
    public void sync() throws IOException {
        pager.checkpoint();
    }

    /** What the store holds and how: walks every partition (cost proportional to the store). */
    public Stats stats() {
        try (ReadView v = pager.read()) {
            TreeChecker.Shape shape = TreeChecker.walk(v, levels);
            PagerStats p = pager.stats();
            return new Stats(shape.entries(), shape.levels(), shape.partitions().clone(), shape.fill(),
                    p.fileBytes(), p.freePages() * (long) pager.pageSize(), p.heldPages() * (long) pager.pageSize(),
                    shape.outOfLineValues(), pager.pageSize(), levels.b(), v.txnId(), p.recovery());
        } catch (IllegalStateException e) {
            throw closed(e);
        } catch (RuntimeException | InternalError e) {
            throw readFailure(e);
        }
    }

    /**
     * Checks the whole last commit: the checksum of every block (also of blocks read before), the
     * B-skip-list's order and shape, and that its blocks and the free ones tile the file without
     * overlap. A store found damaged refuses writes from then on (until it is reopened).
     *
     * @throws StoreException with {@link Problem#CORRUPT} naming the first problem
     */
    public Stats verify() throws IOException {
        try (ReadView v = pager.read()) {
            pager.checks().forget();
            Checker blocks = new Checker(pager.file(), v.meta());
            TreeChecker.check(v, levels, blocks);
            blocks.verify();
        } catch (IllegalStateException e) { // the structural check's report
            checkOpenIo();
            pager.checks().damaged(e);
            throw new StoreException(Problem.CORRUPT, name + ": " + e.getMessage(), e);
        } catch (RuntimeException | InternalError e) {
            throw writeFailure(e);
        }
        return stats();
    }

    /**
     * Bytes of the store file (in memory: of its pages): cheap, unlike {@link #stats()}. The file
     * grows in chunks, so it is usually larger than the pages in use.
     */
    public long fileBytes() {
        checkOpen();
        return pager.stats().fileBytes();
    }

    /**
     * What recovery skipped when this store was opened: a newer commit that did not reach the disk
     * whole, or a damaged meta page ({@link Recovery}); empty when it opened at the newest commit.
     * Cheap, unlike {@link #stats()}, which reports it too.
     */
    public java.util.Optional<Recovery> recovery() {
        return java.util.Optional.ofNullable(pager.recovery());
    }

    /**
     * What {@link #stats()} reports; {@code recovery} is {@link #recovery()}'s, or null.
     */
    public record Stats(long entries, int levels, long[] partitionsPerLevel, double averageFill, long fileBytes,
                        long freeBytes, long heldBytes, long outOfLineValues, int pageSize, int promotion,
                        long lastCommit, Recovery recovery) {

        /** Partitions on level {@code L} (0 is the data level). */
        public long partitions(int level) {
            return partitionsPerLevel[level];
        }

        @Override
        public long[] partitionsPerLevel() {
            return partitionsPerLevel.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stats s && entries == s.entries && levels == s.levels
                    && java.util.Arrays.equals(partitionsPerLevel, s.partitionsPerLevel)
                    && Double.compare(averageFill, s.averageFill) == 0 && fileBytes == s.fileBytes
                    && freeBytes == s.freeBytes && heldBytes == s.heldBytes && outOfLineValues == s.outOfLineValues
                    && pageSize == s.pageSize && promotion == s.promotion && lastCommit == s.lastCommit
                    && java.util.Objects.equals(recovery, s.recovery);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(entries, levels, java.util.Arrays.hashCode(partitionsPerLevel), averageFill,
                    fileBytes, freeBytes, heldBytes, outOfLineValues, pageSize, promotion, lastCommit, recovery);
        }

        @Override
        public String toString() {
            StringBuilder parts = new StringBuilder();
            for (int L = 0; L < levels; L++) {
                parts.append(L == 0 ? "" : " ").append(partitionsPerLevel[L]);
            }
            return String.format("%d entries, %d levels, partitions per level [%s], fill %.1f %%, file %d bytes "
                            + "(%d free, %d held for readers or recovery), %d out-of-line values, page %d, "
                            + "promotion 1/%d, commit %d", entries, levels, parts, averageFill * 100, fileBytes,
                    freeBytes, heldBytes, outOfLineValues, pageSize, promotion, lastCommit)
                    + (recovery == null ? "" : "; recovery: " + recovery.message());
        }
    }

    public int maxKeyBytes() {
        return maxKey;
    }

    public long maxValueBytes() {
        return maxValue;
    }

    public Durability durability() {
        return pager.durability();
    }

    /**
     * Closes the store: waits for an open write transaction's lock, makes unforced commits
     * durable, and unmaps the file. Read transactions still open fail from then on with
     * {@link IllegalStateException}; their segments cannot be read any more.
     */
    @Override
    public void close() throws IOException {
        LOG.log(System.Logger.Level.DEBUG, "closing {0}", name);
        pager.close();
    }

    @Override
    public String toString() {
        return "PageStore[" + name + "]";
    }

    // ---- package -----------------------------------------------------------------------------------

    Levels levels() {
        return levels;
    }

    Pager pager() {
        return pager;
    }

    /** What a read method throws for {@code e} ({@link Failures}). */
    RuntimeException readFailure(Throwable e) {
        return Failures.onRead(pager, name, e);
    }

    /** What a method that declares {@code IOException} throws for {@code e} ({@link Failures}). */
    IOException writeFailure(Throwable e) {
        return Failures.onWrite(pager, name, e);
    }

    void checkOpen() {
        try {
            pager.checkOpen();
        } catch (IllegalStateException e) {
            throw closed(e);
        }
    }

    private void checkOpenIo() throws StoreException {
        if (pager.isClosed()) {
            throw new StoreException(Problem.CLOSED, name + " is closed");
        }
    }

    private IllegalStateException closed(IllegalStateException e) {
        return pager.isClosed() ? new IllegalStateException(name + " is closed", e) : e;
    }

    static MemorySegment segment(byte[] value) {
        return MemorySegment.ofArray(Objects.requireNonNull(value, "value"));
    }

    /** {@code key}, checked, as a native segment ({@link NativeKeys}: a copy when it is on the heap). */
    MemorySegment checkKey(MemorySegment key) {
        Objects.requireNonNull(key, "key");
        checkKeyLength(key.byteSize());
        return NativeKeys.of(key);
    }

    /** A {@code byte[]} key, checked, as a native segment ({@link NativeKeys}: a copy). */
    MemorySegment key(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkKeyLength(key.length);
        return NativeKeys.of(key);
    }

    private void checkKeyLength(long bytes) {
        if (bytes > maxKey) {
            throw new IllegalArgumentException("key of " + bytes + " bytes exceeds the maximum of " + maxKey + " bytes");
        }
    }

    void checkValue(MemorySegment value) {
        Objects.requireNonNull(value, "value");
        if (value.byteSize() > maxValue) {
            throw new IllegalArgumentException("value of " + value.byteSize() + " bytes exceeds the maximum of "
                    + maxValue + " bytes");
        }
    }
}
