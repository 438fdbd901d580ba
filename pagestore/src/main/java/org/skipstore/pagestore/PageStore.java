package org.skipstore.pagestore;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.Checker;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.PagerStats;
import org.skipstore.pagestore.internal.ReadView;
import org.skipstore.pagestore.internal.bskip.Levels;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.bskip.TreeChecker;
import org.skipstore.pagestore.internal.bskip.WriterScratch;

/**
 * A durable, ordered key-value store in one memory-mapped file: a B-skip-list of packed
 * partitions on copy-on-write pages, committed with a two-phase (or checksummed single-barrier,
 * or group) commit. Keys are ordered as unsigned bytes ({@link org.skipstore.core.Keys}).
 *
 * <pre>{@code
 * try (PageStore store = PageStore.open(Path.of("data.skip"))) {
 *     store.put(key, value);                          // one committed transaction
 *     byte[] v = store.get(key);                      // a copy
 *     try (WriteTransaction txn = store.write()) {    // several changes, atomically
 *         txn.put(k1, v1);
 *         txn.delete(k2);
 *         txn.commit();
 *     }
 *     try (Stream<KeyValue> s = store.stream(Range.closedOpen(from, to))) { // a snapshot, copied
 *         s.forEach(kv -> use(kv.key(), kv.value()));
 *     }
 *     try (ReadTransaction txn = store.read(); Cursor c = txn.cursor()) {  // zero-copy views
 *         while (c.next()) { use(c.key(), c.value()); }
 *     }
 * }
 * }</pre>
 *
 * The store's own reads and writes ({@link #get}, {@link #containsKey}, {@link #put},
 * {@link #delete}, {@link #list}, {@link #stream}, {@link #count}) are a {@link Transaction}'s,
 * same names and shapes, each in a transaction of its own: so what they return is a copy (also
 * {@link #get(MemorySegment)}'s segment), where a transaction's segments are views.
 *
 * <h2>Threads</h2>
 * The store is thread-safe. One write transaction is open at a time: {@link #write()} on another
 * thread waits for it, while on the thread that holds it {@link #write()}, and so an
 * auto-committing {@link #put} or {@link #delete} (write transactions of their own), throws
 * {@link IllegalStateException}: make the change in the open transaction, or end it first. Any
 * number of read transactions, each for one thread, read their snapshots meanwhile without
 * blocking or being blocked; {@link #get} and the other reads of the store read the last commit.
 *
 * <h2>Exceptions</h2>
 * As the package says: unchecked, a {@link SkipstoreException} naming its {@link Problem} for
 * what the store cannot do (closed, locked, damaged, no space, a failed force, an I/O error,
 * with the cause kept), plain Java exceptions for bad arguments and calls out of order.
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
 * {@link #verify()} checks every block's. A read that meets damage (a failed checksum, a
 * reference leading out of its block, a file truncated while open) throws
 * {@link Problem#CORRUPT} or {@link Problem#TRUNCATED}, never returns other bytes, and the store
 * refuses writes from then on: a write would copy the damage into new blocks checksummed as
 * good. Damage to a block already read is found by the next open's reads or by {@link #verify()}.
 *
 * <h2>Limits</h2>
 * Keys: up to {@link #maxKeyBytes()} bytes, 1 KiB (a quarter page with pages above 4 KiB), the
 * empty key included. Values: up to {@link #maxValueBytes()}, 16384 pages (8 MiB with the
 * default 512-byte pages, 64 MiB with 4 KiB pages); those above 1 KiB (or a quarter page) live out
 * of line, in runs of pages of their own. A null key or value is a
 * {@link NullPointerException}, a larger one an {@link IllegalArgumentException}; any use after
 * {@link #close()} a {@link SkipstoreException} with {@link Problem#CLOSED}.
 *
 * <h2>Segment lifetime</h2>
 * A segment from a transaction's {@code get}, cursor or scan is a view of the store's pages,
 * valid while the transaction is open: {@link Transaction}, "Segment lifetime".
 *
 * <h2>Durability</h2>
 * As {@link PageStoreBuilder#durability} says; the default is {@link Durability#SYNC}: a commit
 * that returned survives a crash. Whatever the mode, a crash never leaves a mixture of two commits.
 */
public final class PageStore implements AutoCloseable {

    /**
     * The default page size, 512 bytes: partitions are runs of whole pages, so the smaller the
     * page, the less each partition wastes (at the default promotion a level-0 partition holds
     * about 32 entries, 3.7 KiB of 100-byte values with 16-byte keys; the file after a 1 M fill is
     * 1.15x the raw bytes with 512-byte pages, 1.32x with 1 KiB pages at promotion 1/20, issue 17).
     * Pages smaller than the disk's physical sector rely, on power loss, on a write not damaging
     * the rest of its sector (SQLite's "powersafe overwrite" assumption); choose 4096 to rely on
     * nothing of the kind, or for values above 8 MiB (a value is at most 16384 pages).
     */
    public static final int DEFAULT_PAGE_SIZE = 512;
    /** The default of {@link PageStoreBuilder#writeBufferPoolBytes}: 16 MiB. */
    public static final long DEFAULT_WRITE_BUFFER_POOL = 16L << 20;
    /** The default of {@link PageStoreBuilder#transactionBufferBytes}: 64 MiB. */
    public static final long DEFAULT_TRANSACTION_BUFFERS = 64L << 20;
    /**
     * The default promotion probability, {@code 1/32}: larger partitions than quark's 1/20, so
     * fewer index entries and less space lost to the last page of each (issue 17 measured both).
     */
    public static final int DEFAULT_PROMOTION = 32;

    private static final System.Logger LOG = System.getLogger(PageStore.class.getName());

    private final Pager pager;
    private final Levels levels;
    private final String name;
    /** The checks of keys and values against the store's limits. */
    final Limits limits;
    /** {@link PageStoreBuilder#checkedSegments(boolean)}. */
    final boolean checkedSegments;
    /** See {@link #writerScratch()}. */
    private WriterScratch writerScratch;

    PageStore(Pager pager, Levels levels, String name, boolean checkedSegments) {
        this.pager = pager;
        this.checkedSegments = checkedSegments;
        this.levels = levels;
        this.name = name;
        this.limits = new Limits(pager.pageSize());
    }

    /** Opens the store at {@code path}, creating it when missing, with the default options. */
    public static PageStore open(Path path) {
        return builder().open(path);
    }

    /** Options for opening a store. */
    public static PageStoreBuilder builder() {
        return new PageStoreBuilder();
    }

    // ---- auto-committing operations: a transaction each -----------------------------------------

    /** Sets {@code key} to {@code value} in a transaction of its own, committed before it returns; true when the key was new. */
    public boolean put(byte[] key, byte[] value) {
        return put(limits.key(key), Limits.segment(value));
    }

    /** See {@link #put(byte[], byte[])}; both are copied. */
    public boolean put(MemorySegment key, MemorySegment value) {
        MemorySegment k = limits.checkKey(key); // checked before waiting for the writer; native: not copied again
        limits.checkValue(value);
        try (WriteTransaction txn = write()) {
            boolean added = txn.put(k, value);
            txn.commit();
            return added;
        }
    }

    /** Removes {@code key} in a transaction of its own; returns whether it was there. */
    public boolean delete(byte[] key) {
        return delete(limits.key(key));
    }

    /** See {@link #delete(byte[])}. */
    public boolean delete(MemorySegment key) {
        MemorySegment k = limits.checkKey(key);
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
        return copyOf(limits.key(key));
    }

    /**
     * A copy of the value of {@code key} in the last commit (a heap segment: unlike
     * {@link Transaction#get(MemorySegment)}'s view, it outlives the read), or null.
     */
    public MemorySegment get(MemorySegment key) {
        byte[] v = copyOf(key);
        return v == null ? null : MemorySegment.ofArray(v);
    }

    private byte[] copyOf(MemorySegment key) {
        try (ReadTransaction txn = read()) {
            MemorySegment v = txn.find(key); // copied here: no checked-mode copy first
            return v == null ? null : v.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Whether {@code key} is in the last commit. */
    public boolean containsKey(byte[] key) {
        return containsKey(limits.key(key));
    }

    /** See {@link #containsKey(byte[])}. */
    public boolean containsKey(MemorySegment key) {
        try (ReadTransaction txn = read()) {
            return txn.containsKey(key);
        }
    }

    /** The entries of {@code range} in the last commit, copied. */
    public List<KeyValue> list(Range range) {
        try (ReadTransaction txn = read()) {
            return txn.list(range);
        }
    }

    /**
     * The entries of {@code range} in the last commit, copied, read lazily on a read transaction
     * of the stream's own: close the stream (try-with-resources) to end it, as a reader left open
     * keeps its pages from reuse.
     */
    public Stream<KeyValue> stream(Range range) {
        Objects.requireNonNull(range, "range");
        ReadTransaction txn = read();
        try {
            return txn.stream(range).onClose(txn::close);
        } catch (RuntimeException | Error e) {
            txn.close();
            throw e;
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
    public WriteTransaction write() {
        try {
            return new WriteTransaction(this, pager.begin());
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
    }

    /**
     * Native room the writer keeps copies of keys and its merge's stage in ({@link TreeWriter}):
     * one for the store, as write transactions come one at a time. Called with the pager's write
     * lock held, which guards it.
     */
    WriterScratch writerScratch() {
        if (writerScratch == null) {
            writerScratch = new WriterScratch(pager.pageSize());
        }
        return writerScratch;
    }

    /** Begins a read transaction on the last commit. */
    public ReadTransaction read() {
        checkOpen();
        try {
            return new ReadTransaction(this, pager.read());
        } catch (RuntimeException e) {
            throw failure(e);
        }
    }

    // ---- maintenance ------------------------------------------------------------------------------

    /**
     * Makes every commit so far durable now (for {@link Durability#NO_SYNC}, whose commits are
     * otherwise forced at checkpoints; in the other modes they are already).
     */
    public void sync() {
        try {
            pager.checkpoint();
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
    }

    /** What the store holds and how: walks every partition (cost proportional to the store). */
    public PageStoreStats stats() {
        checkOpen();
        try (ReadView v = pager.read()) {
            TreeChecker.Shape shape = TreeChecker.walk(v, levels);
            PagerStats p = pager.stats();
            return new PageStoreStats(shape.entries(), shape.levels(), shape.partitions().clone(), shape.fill(),
                    p.fileBytes(), p.freePagesInFile(pager.pageSize()) * pager.pageSize(), p.heldPages() * (long) pager.pageSize(),
                    shape.outOfLineValues(), pager.pageSize(), levels.b(), v.txnId(), p.recovery());
        } catch (RuntimeException | InternalError e) {
            throw failure(e);
        }
    }

    /**
     * Checks the whole last commit: the checksum of every block (also of blocks read before), the
     * B-skip-list's order and shape, and that its blocks and the free ones tile the file without
     * overlap. A store found damaged refuses writes from then on (until it is reopened).
     *
     * @throws SkipstoreException with {@link Problem#CORRUPT} naming the first problem
     */
    public PageStoreStats verify() {
        checkOpen();
        try (ReadView v = pager.read()) {
            pager.checks().forget();
            Checker blocks = new Checker(pager.file(), v.meta());
            TreeChecker.check(v, levels, blocks);
            blocks.verify();
        } catch (IllegalStateException e) { // the structural check's report
            checkOpen();
            pager.checks().damaged(e);
            throw new SkipstoreException(Problem.CORRUPT, name + ": " + e.getMessage(), e);
        } catch (RuntimeException | InternalError e) {
            throw failure(e);
        }
        return stats();
    }

    /**
     * Bytes of the store file (in memory: of its pages): cheap, unlike {@link #stats()}. The file
     * grows by the blocks written into it; pages freed inside it are reused, never given back.
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
    public Optional<Recovery> recovery() {
        return Optional.ofNullable(pager.recovery());
    }

    /** The largest key, in bytes. */
    public int maxKeyBytes() {
        return limits.maxKey;
    }

    /** The largest value, in bytes. */
    public long maxValueBytes() {
        return limits.maxValue;
    }

    public Durability durability() {
        return pager.durability();
    }

    /**
     * Closes the store: waits for an open write transaction's lock, makes unforced commits
     * durable, and unmaps the file. Read transactions still open throw {@link Problem#CLOSED}
     * from then on; their segments cannot be read any more. Closing again does nothing.
     */
    @Override
    public void close() {
        LOG.log(System.Logger.Level.DEBUG, "closing {0}", name);
        try {
            pager.close();
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
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

    /** What a public method throws for {@code e}: the one translation ({@link Failures}). */
    RuntimeException failure(Throwable e) {
        return Failures.translate(pager, name, e);
    }

    /** @throws SkipstoreException {@link Problem#CLOSED} once the store is closed */
    void checkOpen() {
        if (pager.isClosed()) {
            throw Failures.closed(name, null);
        }
    }
}
