package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.Recovery;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * Copy-on-write transactions over a {@link PageFile}: one writer at a time, any number of readers
 * on committed states, and a commit protocol that survives a crash at any instant. This class
 * holds the shared state and the lock; each protocol lives in a class of its own:
 *
 * <pre>
 *   open/create ── {@link Recover}        which state a file holds (meta slots, CRCs, fallback)
 *   begin ──────── {@link WriteTxn}       allocate, write buffers, free; hands {@link Changes} to
 *   commit ─────── {@link Commit}         free list, commit record, block writes, publish; then by mode:
 *                    {@link TwoPhaseCommit} | {@link SingleBarrierCommit} | {@link UnforcedCommit}
 *                                         └─ {@link GroupCommit}: one force shared by waiting committers
 *   read ───────── {@link ReadView}       a committed state; registered in {@link Readers}
 *   space ──────── {@link Space}          allocator, growth, size limit; {@link BufferPool} for writes
 *   reuse ──────── {@link HeldBlocks}     freed blocks wait for readers and the base
 *                  {@link SinceBase}      unforced blocks the next records list
 * </pre>
 *
 * <h2>States and slots</h2>
 * <pre>
 *   page 0: meta slot 0    page 1: meta slot 1    pages 2..: blocks ({@link BuddyAllocator})
 *
 *   the base: the last commit known durable        the other slot: the commit being written, or a
 *   (forced with all its blocks)                   later commit that is not forced yet
 * </pre>
 * A committed state is a {@link Meta}: roots, the free list, the logical length. A transaction
 * never writes a block that a committed state uses: it writes blocks it allocated itself, and
 * "changes" a committed block by writing a copy and freeing the original. The kernel may write a
 * dirty page back at any moment, so a committed page edited in place could reach the disk before
 * the commit that meant to change it; here that cannot happen.
 *
 * <p>Reads go through a read-only mapping; writes do not. A transaction fills write buffers
 * ({@link BufferPool}) and the commit writes them through the file ({@link PageFile#write}), as
 * LMDB does without {@code MDB_WRITEMAP}: a store into a clean mapped page costs the kernel a
 * write fault (on ext4 here about 10 µs a page, 0.7 ms for a 64-page commit), a write through the
 * file one copy. Readers see the pages through the mapping once written (one page cache).
 *
 * <p>A failed force poisons the pager ({@link #poison}): it is unknown what reached the disk, so
 * every later write is refused with {@link Problem#FAILED_FORCE}; nothing retries and assumes
 * success. A thread interrupted inside a {@code FileChannel} write or force closes the channel for
 * every thread (the JDK's rule for interruptible channels), which poisons the pager too: reopen
 * the store. Readers go on reading the mapping, and the store stays locked until it is closed
 * (the lock is on a file of its own, {@link StoreLock}). Do not interrupt committing threads.
 *
 * <h2>Lock order</h2>
 * The write lock, then {@link Readers}' or {@link GroupCommit}'s monitor, never the other way.
 */
public final class Pager implements AutoCloseable {

    /** The named points of the commit protocol, where tests make a simulated crash happen. */
    public enum Point {
        /** The blocks, free list and record are written; nothing forced, no meta written. */
        BEFORE_PHASE_1,
        /** Phase 1's force returned (two-phase only). */
        AFTER_PHASE_1,
        /** The meta is written into its slot, not yet forced. */
        AFTER_META_WRITE,
        /** The commit's last force returned. */
        AFTER_PHASE_2,
        /** The file grew (inside a transaction), nothing committed. */
        AFTER_GROWTH,
        /** A checkpoint's force returned, before the base moved. */
        AFTER_CHECKPOINT,
        /** An open transaction wrote blocks ahead of its commit ({@link WriteTxn#spillExcept}), nothing committed. */
        AFTER_SPILL
    }

    /** Test hook, called at each {@link Point}; it may throw to simulate a crash there. */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = p -> { };

        void at(Point point) throws IOException;
    }

    private final PageFile file;
    private final Durability durability;
    final Hook hook;
    private final int pageSize;
    /** Held by the write transaction from {@link #begin} to its end, and by checkpoints. */
    final ReentrantLock writeLock = new ReentrantLock();
    final Readers readers = new Readers();
    final HeldBlocks held = new HeldBlocks();
    final SinceBase sinceBase = new SinceBase();
    final Space space;
    final BufferPool pool;
    final GroupCommit group;
    final Checkpoints checkpoints;

    /** The last committed state: what new readers read. */
    private volatile Meta committed;
    /** Reads {@link #committed} for {@link Readers#open}: made once, so a read allocates no lambda. */
    private final java.util.function.Supplier<Meta> lastCommitted = () -> committed;
    private volatile StoreFailure poisoned;
    private volatile boolean closed;
    private long commits;
    /** {@link #limitTransactionBuffers}; guarded by the write lock. */
    private long transactionBuffers;
    /** What open skipped to recover an earlier state ({@link Fallback}); null when nothing. */
    private Recovery recovery;

    Pager(PageFile file, Durability durability, Hook hook, Meta state, int slot) {
        this.file = file;
        this.durability = durability;
        this.hook = hook;
        this.pageSize = file.pageSize();
        this.committed = state;
        this.checkpoints = new Checkpoints(this, slot, state.txnId);
        this.space = new Space(file, state.pageCount, held, readers, checkpoints::baseTxn, hook);
        this.pool = new BufferPool(pageSize);
        this.group = new GroupCommit(this, state.txnId);
    }

    /** Formats a new, empty store in {@code file} ({@link Recover#create}). */
    public static Pager create(PageFile file, Durability durability, Hook hook) throws IOException {
        return Recover.create(file, durability, hook);
    }

    /** Recovers the store in {@code file} ({@link Recover#open}). */
    public static Pager open(PageFile file, Durability durability, Hook hook, String name) throws IOException {
        return Recover.open(file, durability, hook, name);
    }

    void recovered(Recovery r) {
        this.recovery = r;
    }

    // ---- transactions ------------------------------------------------------------------------

    /**
     * Starts the write transaction; waits while another thread's is open.
     *
     * @throws IllegalStateException when this thread's is open: the lock is reentrant, and a
     *                               second transaction on it would build on the same state and
     *                               free the same blocks as the first (a corrupt store), where
     *                               waiting would wait forever
     */
    public WriteTxn begin() throws StoreFailure {
        checkWritable();
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("this thread has a write transaction open already: commit or close it "
                    + "before starting another or writing outside it (an auto-committing put or delete is one)");
        }
        writeLock.lock();
        try {
            checkWritable();
            reclaim();
            return new WriteTxn(this, committed);
        } catch (RuntimeException | StoreFailure e) {
            writeLock.unlock();
            throw e;
        }
    }

    /** Keeps at most {@code bytes} of write buffers between transactions (before the first one). */
    public void limitWriteBufferPool(long bytes) {
        pool.limit(bytes);
    }

    /**
     * Has each later transaction write blocks ahead of its commit once its buffers pass
     * {@code bytes} ({@link WriteTxn#spillExcept}); 0: never.
     */
    public void limitTransactionBuffers(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("limit " + bytes + " is negative");
        }
        transactionBuffers = bytes;
    }

    /** See {@link #limitTransactionBuffers}. */
    long transactionBufferLimit() {
        return transactionBuffers;
    }

    /** {@code t} committed or rolled back: the next writer may begin. */
    void end(WriteTxn t) {
        pool.endTransaction();
        writeLock.unlock();
    }

    /** A read view of the last committed state; it stays that state until closed. */
    public ReadView read() {
        checkOpen();
        return new ReadView(this, readers.open(lastCommitted)); // registered before reclaim can pass it
    }

    void release(ReadView view) {
        readers.close(view.meta().txnId);
    }

    /** Returns held blocks that no reader and no recoverable state can reach any more. */
    void reclaim() {
        held.reclaim(Math.min(readers.oldest(), checkpoints.baseTxn()), space.allocator());
    }

    /** Commits {@code c} (write lock held): {@link Commit}. */
    void commit(Changes c, Durability mode) throws IOException {
        checkWritable();
        Commit.run(this, c, mode);
    }

    /** The commit's last step: new readers read {@code next}. */
    void publish(Meta next) {
        committed = next;
        commits++;
    }

    // ---- checkpoints ({@link Checkpoints}) -----------------------------------------------------

    /** Sets when NO_SYNC commits take a checkpoint (pages written since the last one, pages held back). */
    public void checkpointAfter(long writtenPages, long heldPages) {
        checkpoints.after(writtenPages, heldPages);
    }

    /** Forces a checkpoint now (NO_SYNC and GROUP): every commit so far becomes durable. */
    public void checkpoint() throws IOException {
        if (durability == Durability.GROUP) {
            group.awaitDurable(committed.txnId);
            return;
        }
        writeLock.lock();
        try {
            checkWritable();
            checkpoints.take();
        } finally {
            writeLock.unlock();
        }
    }

    void force() throws IOException {
        try {
            file.force();
        } catch (IOException e) {
            throw poison(Problem.FAILED_FORCE, e);
        }
    }

    /**
     * Refuses every later write: what reached the disk is unknown after {@code e}, a failed force
     * ({@link Problem#FAILED_FORCE}) or a failed write of a commit's blocks or meta
     * ({@link Problem#FAILED_WRITE}). The first failure is kept: later refusals carry its problem
     * and it as their cause.
     */
    StoreFailure poison(Problem problem, Exception e) {
        StoreFailure p = new StoreFailure(problem,
                "a commit failed (" + e + "); what reached the disk is unknown, so the store refuses further writes;"
                        + " reopen it to recover the last durable commit", e);
        if (poisoned == null) {
            poisoned = p;
        }
        return p;
    }

    boolean isPoisoned() {
        return poisoned != null;
    }

    // ---- space -------------------------------------------------------------------------------

    /**
     * Refuses to grow the file past {@code pages} pages: a transaction that needs more fails with
     * {@link Problem#NO_SPACE} (and can be aborted, losing nothing committed).
     */
    public void limitPages(long pages) {
        space.limitPages(pages);
    }

    /** Grows the file now to at least {@code pages} pages, reserved on the disk ({@link Space#preallocate}). */
    public void preallocate(long pages) throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            space.preallocate(pages);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- access ------------------------------------------------------------------------------

    public PageFile file() {
        return file;
    }

    public int pageSize() {
        return pageSize;
    }

    public Durability durability() {
        return durability;
    }

    /** The last committed state. */
    public Meta committed() {
        return committed;
    }

    public BuddyAllocator allocator() {
        return space.allocator();
    }

    /** Which blocks passed their checksum, and the damage found in the store. */
    public BlockChecks checks() {
        return space.checks();
    }

    public long commits() {
        return commits;
    }

    public long checkpoints() {
        return checkpoints.count();
    }

    /** What open skipped or found damaged ({@link Fallback}): null when there was nothing to report. */
    public Recovery recovery() {
        return recovery;
    }

    /** The transaction of the base: the state a machine crash falls back to at worst. */
    public long baseTxn() {
        return checkpoints.baseTxn();
    }

    public long heldPages() {
        return held.pages();
    }

    /** A snapshot of the counters (taken under the write lock: waits for an open transaction). */
    public PagerStats stats() {
        writeLock.lock();
        try {
            BuddyAllocator a = space.allocator();
            int[] perOrder = new int[Chunks.MAX_ORDER + 1];
            for (int n = 0; n < perOrder.length; n++) {
                perOrder[n] = a.freeBlocks(n);
            }
            long pages = a.capacity();
            return new PagerStats(file.length() * pageSize, pages, pages - a.freePages() - held.pages(), a.freePages(),
                    held.pages(), perOrder, commits, checkpoints.count(), committed.txnId, checkpoints.baseTxn(), readers.count(),
                    recovery);
        } finally {
            writeLock.unlock();
        }
    }

    /** @throws IllegalStateException when closed */
    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    void checkWritable() throws StoreFailure {
        if (closed) {
            throw new StoreFailure(Problem.CLOSED, "the store is closed");
        }
        StoreFailure p = poisoned;
        if (p != null) {
            throw new StoreFailure(p.problem(), p.getMessage(), p);
        }
        RuntimeException d = space.checks().damage();
        if (d != null) { // a write would copy damaged blocks into new ones, checksummed as good
            throw new StoreFailure(Problem.CORRUPT, "the store is damaged (" + d.getMessage()
                    + "); it refuses writes: copy out what reads, or restore it from a backup", d);
        }
    }

    /**
     * Closes the pager and its file; open views fail on their next access. Unforced commits are
     * made durable first (a clean close loses nothing), after any group force at work.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        for (;;) {
            if (durability == Durability.GROUP && poisoned == null) {
                try {
                    group.awaitDurable(committed.txnId); // also waits for a leader at work
                } catch (IOException e) {
                    // poisoned; close anyway
                }
            }
            writeLock.lock();
            if (!group.busy()) {
                break; // with the lock held
            }
            writeLock.unlock(); // a group leader came in between: let it finish
        }
        try {
            if (closed) {
                return;
            }
            if (poisoned == null && committed.txnId != checkpoints.baseTxn()) {
                try {
                    checkpoints.take(); // unforced commits: make them durable on a clean close
                } catch (IOException e) {
                    // poisoned; close anyway
                }
            }
            closed = true;
            file.close();
            pool.close();
        } finally {
            writeLock.unlock();
        }
    }
}
