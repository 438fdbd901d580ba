package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.Recovery;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * Copy-on-write transactions over a {@link PageFile}: one writer at a time, any number of readers
 * on committed states, and a commit protocol that survives a crash at any instant.
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
 * dirty mapped page back at any moment, so a committed page edited in place could reach the disk
 * before the commit that meant to change it; here that cannot happen.
 *
 * <p>Reads go through the mapping; writes do not. A transaction fills write buffers
 * ({@link WriteTxn#write}) and the commit writes them through the file ({@link PageFile#write}),
 * as LMDB does without {@code MDB_WRITEMAP}: a store into a clean mapped page costs the kernel a
 * write fault (on ext4 here about 10 µs a page, 0.7 ms for a 64-page commit), a write through the
 * file one copy. Readers see the pages through the mapping once written (one page cache).
 *
 * <h2>Commit ({@link WriteTxn#commit})</h2>
 * Every commit first writes, in blocks it allocates: the free list (every block that is free in
 * the new state, including blocks freed but not yet reusable), and for the checksummed modes a
 * commit record ({@link Meta}). Then, by {@link Durability}:
 * <ol>
 *   <li>{@code SYNC}, two phases as LMDB: (1) force: every block of the new state is durable;
 *       (2) write the meta into the slot that is not the base, force. The second force is the
 *       commit point: before it recovery finds the base, after it the new state (a meta torn by
 *       the crash fails its CRC and recovery takes the base).</li>
 *   <li>{@code SYNC_SINGLE_BARRIER}: write the meta, with the record listing the CRC32C of every
 *       block written, then one force. A crash during the force may leave any subset of pages
 *       written, the meta included; recovery takes the meta only if the record and every block
 *       in it check out, else the base.</li>
 *   <li>{@code NO_SYNC} and {@code GROUP}: write the meta into the non-base slot, no force. The
 *       record lists every live block written since the base, so whatever the kernel happened to
 *       write back, recovery finds a complete later state or falls back to the base. A
 *       checkpoint (a force) makes the latest commit the base; {@code GROUP} commits wait for one
 *       that covers them, sharing it with commits that came in meanwhile.</li>
 * </ol>
 * The commit then publishes the new state to readers (a volatile write).
 * A failed force poisons the pager: it is unknown what reached the disk, so every later write
 * is refused with {@link Problem#FAILED_FORCE}; nothing retries and assumes success.
 *
 * <h2>When a freed block may be reused</h2>
 * A block freed by transaction {@code F} is still part of every state before {@code F}. It
 * returns to the allocator once no open reader reads a state before {@code F} and the base (the
 * state recovery falls back to) is {@code F} or later. Unforced states after the base may still
 * use it: recovery would reject them, because the reused block no longer matches the CRC their
 * record lists, and fall back to the base, which does not use it.
 *
 * <h2>Recovery ({@link #open})</h2>
 * Read both slots; try the valid ones (magic, CRC, version, page size) from the highest
 * transaction id down; a meta whose logical length passes the file, whose free list fails its
 * CRC, or whose record or any block in it fails its CRC is skipped. The first that passes is the
 * state; it is forced at once and becomes the base. Nothing is replayed. A skipped newer slot,
 * or a damaged one, is reported ({@link #recovery()}, a log warning, a JFR event: {@link Fallback}).
 *
 * <h2>Interrupts</h2>
 * A thread interrupted inside a {@code FileChannel} write or force closes the channel for every
 * thread (the JDK's rule for interruptible channels). The pager is then poisoned: reopen the
 * store. Readers go on reading the mapping, and the store stays locked until it is closed (the
 * lock is on a file of its own, {@link StoreLock}). Do not interrupt committing threads.
 *
 * <h2>Why one file</h2>
 * Commit, group commit, reclaim, recovery and the write buffers share the pager's state under one
 * lock, so they are kept together here; the pieces without that state are classes of their own
 * ({@link BlockChecks}, {@link Fallback}, {@link NoSpace}, {@link Meta}). Splitting the rest by
 * responsibility is the next store issue's (14) first task.
 *
 * <h2>Local names</h2>
 * {@code n} a block order, {@code e} a free-list entry ({@code page << 8 | order}), {@code T} a
 * transaction id.
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
        AFTER_CHECKPOINT
    }

    /** Test hook, called at each {@link Point}; it may throw to simulate a crash there. */
    @FunctionalInterface
    public interface Hook {
        Hook NONE = p -> { };

        void at(Point point) throws IOException;
    }

    /** Checkpoint (NO_SYNC) when the blocks written since the base exceed this many pages... */
    private long checkpointPages = 1024;
    /** ... or when the pages held back from reuse exceed this many. */
    private long checkpointHeldPages = 1024;
    /** The file never grows past this many pages ({@link #limitPages}). */
    private volatile long maxPages = Long.MAX_VALUE;

    private final PageFile file;
    private final Durability durability;
    private final Hook hook;
    private final int pageSize;
    final ReentrantLock writeLock = new ReentrantLock();
    private final BuddyAllocator allocator;
    private final BlockChecks checks;

    /** The last committed state: what new readers read. */
    private volatile Meta committed;
    /** Slot of the base (the last state known durable) and its transaction id. */
    private int baseSlot;
    private long baseTxn;
    /** Highest transaction known durable (GROUP waits on it). */
    private long durableTxn;
    /** Live blocks written since the base, for the record: entry -> {CRC32C, writing transaction}. */
    private final LinkedHashMap<Long, long[]> sinceBase = new LinkedHashMap<>();
    private long sinceBasePages;
    /** Blocks freed by committed transactions and not yet reusable: entry -> freeing transaction. */
    private final List<long[]> held = new ArrayList<>();
    /** The entries of {@link #held}, to refuse a second free of a held block. */
    private final java.util.Set<Long> heldSet = new java.util.HashSet<>();
    private long heldPages;
    /** Open readers: state (transaction id) -> count. */
    private final TreeMap<Long, Integer> readers = new TreeMap<>();
    private final Object syncLock = new Object();
    /** A group-commit leader is at work (guarded by {@link #syncLock}). */
    private boolean leading;
    /** A group force runs outside the write lock (guarded by the write lock). */
    private boolean forcing;
    /** The meta page of the last commit made while {@link #forcing}: it waits (guarded by the write lock). */
    private MemorySegment deferred;
    /** Write buffers of transactions, pooled per order up to {@link #POOLED_BYTES} in all. */
    private final Arena bufferArena = Arena.ofShared();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] pool = new ArrayDeque[Chunks.MAX_ORDER + 1];
    private long pooledBytes;
    private long bufferBytes;
    static final long POOLED_BYTES = 16L << 20;
    private volatile StoreFailure poisoned;
    private volatile boolean closed;
    private long commits;
    private long checkpoints;
    /** What open skipped to recover an earlier state ({@link Fallback}); null when nothing. */
    private Recovery recovery;

    private Pager(PageFile file, Durability durability, Hook hook, Meta state, int slot) {
        this.file = file;
        this.durability = durability;
        this.hook = hook;
        this.pageSize = file.pageSize();
        this.committed = state;
        this.baseSlot = slot;
        this.baseTxn = state.txnId;
        this.durableTxn = state.txnId;
        this.allocator = new BuddyAllocator(state.pageCount);
        this.checks = new BlockChecks(state.pageCount);
    }

    // ---- open and create ---------------------------------------------------------------------

    /**
     * Formats a new, empty store in {@code file} (whose pages are all zero): the state of
     * transaction 1, forced.
     */
    public static Pager create(PageFile file, Durability durability, Hook hook) throws IOException {
        long[] noRoots = new long[Meta.ROOTS];
        Meta empty = new Meta(file.pageSize(), 0, file.pageCount(), 0, 0, 0, 0, 0, 0, 0, 0, noRoots);
        Pager p = new Pager(file, durability, hook, empty, 0);
        p.allocator.freeRange(2, file.pageCount()); // everything but the meta pages is free
        try (WriteTxn t = p.begin()) {
            t.commit(Durability.SYNC);
        }
        return p;
    }

    /** Recovers the store in {@code file}; see the class comment. */
    public static Pager open(PageFile file, Durability durability, Hook hook, String name) throws IOException {
        int pageSize = file.pageSize();
        MemorySegment[] slots = {file.pages(0, 1), file.pages(1, 1)};
        Meta.Status[] status = {Meta.check(slots[0], pageSize), Meta.check(slots[1], pageSize)};
        List<Integer> order = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            if (status[s] == Meta.Status.VALID) {
                order.add(s);
            }
        }
        order.sort((a, b) -> Long.compare(Meta.read(slots[b]).txnId, Meta.read(slots[a]).txnId));
        boolean truncated = false;
        String why = null;
        Fallback.Skip skipped = null; // the newer slot skipped, reported if an older one checks out
        for (int s : order) {
            Meta m = Meta.read(slots[s]);
            if (m.pageCount > file.pageCount() || !Chunks.isCapacity(m.pageCount)) {
                truncated = m.pageCount > file.pageCount();
                why = "meta " + s + " (transaction " + m.txnId + ") needs " + m.pageCount + " pages, the file has "
                        + file.pageCount();
                skipped = Fallback.skip(s, m, why, false);
                continue;
            }
            String bad = verify(file, m);
            if (bad != null) {
                why = "meta " + s + " (transaction " + m.txnId + "): " + bad;
                skipped = Fallback.skip(s, m, bad, true);
                continue;
            }
            Pager p = new Pager(file, durability, hook, m, s);
            try {
                p.loadFreeList(m);
            } catch (RuntimeException e) { // overlapping or repeated entries: written by a bug, not a crash
                throw new StoreFailure(Problem.CORRUPT, name + " is damaged: the free list of transaction " + m.txnId
                        + " is inconsistent (" + e.getMessage() + ")", e);
            }
            file.force(); // the state may be in the page cache only (an unforced commit): make it the base
            p.recovery = Fallback.report(name, slots, status, s, m.txnId, skipped);
            return p;
        }
        throw openError(name, slots, status, truncated, why);
    }

    private static StoreFailure openError(String name, MemorySegment[] slots, Meta.Status[] status,
            boolean truncated, String why) {
        if (status[0] == Meta.Status.NO_MAGIC && status[1] == Meta.Status.NO_MAGIC) {
            return new StoreFailure(Problem.NOT_A_STORE, name + " is not a Skipstore file (no meta page has the magic)");
        }
        for (int s = 0; s < 2; s++) {
            if (status[s] == Meta.Status.BAD_VERSION) {
                return new StoreFailure(Problem.VERSION, name + " has format version " + Meta.versionOf(slots[s])
                        + "; this version of Skipstore reads version " + Meta.FORMAT_VERSION);
            }
            if (status[s] == Meta.Status.BAD_PAGE_SIZE) {
                return new StoreFailure(Problem.PAGE_SIZE, name + " has pages of " + Meta.pageSizeOf(slots[s])
                        + " bytes, not " + slots[s].byteSize());
            }
        }
        if (truncated) {
            return new StoreFailure(Problem.TRUNCATED, name + " is truncated: " + why);
        }
        return new StoreFailure(Problem.CORRUPT, name + " is damaged: no valid meta page (slot 0: " + status[0]
                + ", slot 1: " + status[1] + (why == null ? "" : "; " + why) + ")");
    }

    /** Null when the free list and the record of {@code m} check out, else what fails. */
    private static String verify(PageFile file, Meta m) {
        if (m.freeList != 0 ? !isBlock(m.freeList, m.freeOrder, m.pageCount)
                || (long) m.freeCount * 8 > ((long) file.pageSize() << m.freeOrder)
                : m.freeCount > Meta.inlineCapacity(file.pageSize())) {
            return "free list out of range";
        }
        MemorySegment entries = Meta.freeEntries(file, m);
        if (entries != null && Checksums.crc32c(entries, 0, 8L * m.freeCount) != m.freeCrc) {
            return "free list fails its CRC";
        }
        for (int i = 0; i < m.freeCount; i++) {
            long e = Meta.getEntry(entries, i);
            if (!isBlock(Meta.entryPage(e), Meta.entryOrder(e), m.pageCount)) {
                return "free list names a block out of range";
            }
        }
        if (m.record != 0) {
            long entry = Meta.RECORD_ENTRY.byteSize();
            if (!isBlock(m.record, m.recordOrder, m.pageCount)
                    || m.recordCount * entry > ((long) file.pageSize() << m.recordOrder)) {
                return "commit record out of range";
            }
            MemorySegment r = file.pages(m.record, 1L << m.recordOrder);
            if (Checksums.crc32c(r, 0, m.recordCount * entry) != m.recordCrc) {
                return "commit record fails its CRC";
            }
            for (int i = 0; i < m.recordCount; i++) {
                long e = Meta.recordBlock(r, i);
                long page = Meta.entryPage(e);
                int n = Meta.entryOrder(e);
                if (!isBlock(page, n, m.pageCount)) {
                    return "commit record names a block out of range";
                }
                MemorySegment b = file.pages(page, 1L << n);
                if (Checksums.crc32c(b, 0, b.byteSize()) != Meta.recordCrc(r, i)) {
                    return "block " + page + "/" + n + " fails its CRC (the commit did not reach the disk whole)";
                }
            }
        }
        return null;
    }

    private static boolean isBlock(long page, int n, long pageCount) {
        return n >= 0 && n <= Chunks.MAX_ORDER && page >= 2 && (page & ((1L << n) - 1)) == 0
                && page + (1L << n) <= pageCount;
    }

    private void loadFreeList(Meta m) {
        MemorySegment b = Meta.freeEntries(file, m);
        for (int i = 0; i < m.freeCount; i++) {
            long e = Meta.getEntry(b, i);
            allocator.free(Meta.entryPage(e), Meta.entryOrder(e));
        }
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

    /** A read view of the last committed state; it stays that state until closed. */
    public ReadView read() {
        checkOpen();
        synchronized (readers) {
            Meta m = committed; // read under the lock, so reclaim() sees this reader before reusing
            readers.merge(m.txnId, 1, Integer::sum);
            return new ReadView(this, m);
        }
    }

    void release(ReadView view) {
        synchronized (readers) {
            readers.computeIfPresent(view.meta().txnId, (k, c) -> c == 1 ? null : c - 1);
        }
    }

    /** Returns held blocks that no reader and no recoverable state can reach any more. */
    private void reclaim() {
        long horizon;
        synchronized (readers) {
            horizon = readers.isEmpty() ? Long.MAX_VALUE : readers.firstKey();
        }
        horizon = Math.min(horizon, baseTxn);
        for (Iterator<long[]> it = held.iterator(); it.hasNext();) {
            long[] h = it.next();
            if (h[1] <= horizon) {
                int n = Meta.entryOrder(h[0]);
                allocator.free(Meta.entryPage(h[0]), n);
                heldPages -= 1L << n;
                heldSet.remove(h[0]);
                it.remove();
            }
        }
    }

    /** Allocates a block for {@code txn}, growing the file when no free block fits. */
    long allocate(int n) throws IOException {
        long page;
        while ((page = allocator.allocate(n)) < 0) {
            long next = Chunks.next(allocator.capacity());
            if ((next > Integer.MAX_VALUE || next > maxPages) && checkpointToReuse()) {
                continue;
            }
            if (next > Integer.MAX_VALUE) {
                throw NoSpace.error("the file has reached its largest size", allocator, n, held, baseTxn, oldestReader(),
                        pageSize);
            }
            if (next > maxPages) {
                throw NoSpace.error("the store has reached its maximum size (growing needs " + next + " pages)",
                        allocator, n, held, baseTxn, oldestReader(), pageSize);
            }
            if (next > file.pageCount()) {
                file.grow(next);
            }
            allocator.grow(next);
            checks.grow(next);
            hook.at(Point.AFTER_GROWTH);
        }
        return page;
    }

    /**
     * At the size limit, when held blocks wait only for the base (NO_SYNC between checkpoints,
     * GROUP between forces): a checkpoint, so that they can be reused; true when it freed some.
     * Without it a full NO_SYNC store refused even the deletes that would make room until
     * {@code sync()}. The open transaction is unaffected: it builds on the last commit, which
     * becomes the base (its meta is in the other slot unless a group force runs: then not).
     */
    private boolean checkpointToReuse() throws IOException {
        if (forcing || deferred != null || committed.txnId == baseTxn
                || !NoSpace.waitsForBase(held, baseTxn, oldestReader())) {
            return false;
        }
        checkpointLocked();
        reclaim();
        return true;
    }

    /** The state the oldest open reader reads; {@code Long.MAX_VALUE} when none is open. */
    private long oldestReader() {
        synchronized (readers) {
            return readers.isEmpty() ? Long.MAX_VALUE : readers.firstKey();
        }
    }

    /** Whether the block is freed already, waiting to be reusable. */
    boolean isHeld(long page, int n) {
        return heldSet.contains(Meta.freeEntry(page, n));
    }

    boolean isPoisoned() {
        return poisoned != null;
    }

    void freeNow(long page, int n) {
        allocator.free(page, n);
    }

    /**
     * A write buffer for a block of order {@code n} (content undefined). Blocks are written into
     * buffers and through the file at commit ({@link PageFile#write}), never by stores into the
     * mapping. Up to {@link #POOLED_BYTES} of buffers are kept for reuse (in an arena the pager
     * closes); larger or further ones are left to the collector.
     */
    MemorySegment buffer(int n) {
        ArrayDeque<MemorySegment> q = pool[n];
        MemorySegment b = q == null ? null : q.poll();
        if (b != null) {
            pooledBytes -= b.byteSize();
            return b;
        }
        long bytes = (long) pageSize << n;
        if (bufferBytes + bytes <= POOLED_BYTES) {
            bufferBytes += bytes;
            return bufferArena.allocate(bytes, pageSize);
        }
        return Arena.ofAuto().allocate(bytes, pageSize);
    }

    void recycle(MemorySegment b, int n) {
        if (b.scope() == bufferArena.scope()) {
            if (pool[n] == null) {
                pool[n] = new ArrayDeque<>();
            }
            pool[n].push(b);
            pooledBytes += b.byteSize();
        }
    }

    /**
     * Commits {@code t}: see the class comment. Called by the transaction with the write lock
     * held; returns with it held.
     */
    void commit(WriteTxn t, Durability mode) throws IOException {
        checkWritable();
        CommitEvent event = new CommitEvent();
        event.begin();
        try {
            t.seal(); // the structure's runs are final: their checksums first, the record's CRCs cover them
            boolean checksummed = mode != Durability.SYNC;
            Meta prev = t.base;
            // The previous state's free list and record are replaced: they become garbage of T.
            if (prev.freeList != 0) {
                t.free(prev.freeList, prev.freeOrder);
            }
            if (prev.record != 0) {
                t.free(prev.record, prev.recordOrder);
            }
            long[] record = null;
            int recordOrder = 0;
            long recordPage = 0;
            if (checksummed) {
                long entries = (mode == Durability.SYNC_SINGLE_BARRIER ? 0 : sinceBase.size()) + t.allocated.size() + 2;
                recordOrder = orderFor(entries * Meta.RECORD_ENTRY.byteSize());
                recordPage = t.allocate(recordOrder);
            }
            // The free list: every block free in the new state (allocator, held, freed by T), in
            // the meta page when it fits, else in a block of its own.
            int freeOrder = 0;
            long freePage = 0;
            int freeCount;
            MemorySegment metaPage = buffer(0);
            metaPage.fill((byte) 0);
            MemorySegment fl;
            if (allocator.freeBlocks() + held.size() + t.freed.size() <= Meta.inlineCapacity(pageSize)) {
                fl = metaPage.asSlice(Meta.INLINE_FREE);
            } else {
                for (;;) {
                    long need = (long) allocator.freeBlocks() + held.size() + t.freed.size() + Chunks.MAX_ORDER + 2;
                    freeOrder = orderFor(need * 8);
                    freePage = t.allocate(freeOrder);
                    long cap = ((long) pageSize << freeOrder) / 8;
                    if (allocator.freeBlocks() + held.size() + t.freed.size() <= cap) {
                        break;
                    }
                    t.freeAllocated(freePage, freeOrder); // grew meanwhile: take a bigger block
                }
                fl = t.write(freePage);
            }
            int[] count = {0};
            allocator.forEachFree(e -> Meta.setEntry(fl, count[0]++, e));
            for (long[] h : held) {
                Meta.setEntry(fl, count[0]++, h[0]);
            }
            for (long e : t.freed) {
                Meta.setEntry(fl, count[0]++, e);
            }
            freeCount = count[0];
            int freeCrc = Checksums.crc32c(fl, 0, 8L * freeCount);

            int recordCount = 0;
            int recordCrc = 0;
            Map<Long, Integer> written = new HashMap<>();
            if (checksummed) {
                for (Map.Entry<Long, Integer> a : t.allocated.entrySet()) {
                    long page = a.getKey();
                    if (page == recordPage) {
                        continue; // not listed in itself: its CRC is in the meta
                    }
                    MemorySegment b = t.buffer(page);
                    written.put(Meta.freeEntry(page, a.getValue()), Checksums.crc32c(b, 0, b.byteSize()));
                }
                MemorySegment r = t.write(recordPage);
                if (mode != Durability.SYNC_SINGLE_BARRIER) {
                    for (long e : t.freed) {
                        if (sinceBase.remove(e) != null) {
                            sinceBasePages -= 1L << Meta.entryOrder(e);
                        }
                    }
                    for (Map.Entry<Long, long[]> s : sinceBase.entrySet()) {
                        Meta.setRecord(r, recordCount++, s.getKey(), (int) s.getValue()[0]);
                    }
                }
                for (Map.Entry<Long, Integer> w : written.entrySet()) {
                    Meta.setRecord(r, recordCount++, w.getKey(), w.getValue());
                }
                recordCrc = Checksums.crc32c(r, 0, recordCount * Meta.RECORD_ENTRY.byteSize());
            }
            Meta next = new Meta(pageSize, t.id, allocator.capacity(), freePage, freeOrder, freeCount, freeCrc,
                    checksummed ? recordPage : 0, recordOrder, recordCount, recordCrc, t.roots);
            int slot = 1 - baseSlot;
            try {
                for (Map.Entry<Long, Integer> a : t.allocated.entrySet()) { // the blocks, through the file
                    checks.written(a.getKey()); // before the write: a check of the old bytes no longer holds
                    file.write(a.getKey(), t.buffer(a.getKey()));
                }
                for (long run : t.sealedRuns()) {
                    checks.passed(run); // written as summed: no second sum at the next read
                }
            } catch (IOException e) {
                if (e instanceof java.nio.channels.ClosedChannelException) {
                    throw poison(e); // an interrupt closed the channel: no write can succeed any more
                }
                if (mode == Durability.SYNC || mode == Durability.SYNC_SINGLE_BARRIER) {
                    // Only free space was written and no state changed yet: the transaction can be
                    // rolled back (the caller does) and the store stays usable.
                    recycle(metaPage, 0);
                    throw new StoreFailure(isFull(e) ? Problem.NO_SPACE : Problem.FAILED_WRITE,
                            "writing the commit's blocks failed, nothing was committed: " + e.getMessage(), e);
                }
                throw e; // unforced modes moved their bookkeeping already: poison (below)
            }
            next.writeTo(metaPage);
            hook.at(Point.BEFORE_PHASE_1);
            long start = System.nanoTime();
            long phase1 = 0;
            switch (mode) {
                case SYNC -> {
                    force();                                   // phase 1: the blocks
                    phase1 = System.nanoTime();
                    hook.at(Point.AFTER_PHASE_1);
                    file.write(slot, metaPage);
                    hook.at(Point.AFTER_META_WRITE);
                    force();                                   // phase 2: the meta, the commit point
                    hook.at(Point.AFTER_PHASE_2);
                    newBase(slot, t.id);
                }
                case SYNC_SINGLE_BARRIER -> {
                    file.write(slot, metaPage);
                    hook.at(Point.AFTER_META_WRITE);
                    force();                                   // the one barrier
                    hook.at(Point.AFTER_PHASE_2);
                    newBase(slot, t.id);
                }
                case NO_SYNC, GROUP -> {
                    if (forcing) {
                        if (deferred != null) {
                            recycle(deferred, 0);
                        }
                        deferred = metaPage; // a group force is running: the slot must keep its meta
                        metaPage = null;
                    } else {
                        file.write(slot, metaPage);
                        hook.at(Point.AFTER_META_WRITE);
                    }
                    for (Map.Entry<Long, Integer> w : written.entrySet()) {
                        sinceBase.put(w.getKey(), new long[] {w.getValue(), t.id});
                        sinceBasePages += 1L << Meta.entryOrder(w.getKey());
                    }
                }
            }
            // The record block and free list are garbage of the next commit; remember them as
            // written for the record of later unforced commits (they are in this meta).
            for (long e : t.freed) {
                held.add(new long[] {e, t.id});
                heldSet.add(e);
                heldPages += 1L << Meta.entryOrder(e);
            }
            if (metaPage != null) {
                recycle(metaPage, 0);
            }
            committed = next;
            commits++;
            if (event.shouldCommit()) {
                long end = System.nanoTime();
                event.txn = t.id;
                event.durability = mode.name();
                event.blocks = t.allocated.size();
                long pages = 0;
                for (int n : t.allocated.values()) {
                    pages += 1L << n;
                }
                event.bytes = pages * pageSize;
                event.phase1 = phase1 == 0 ? 0 : phase1 - start;
                event.phase2 = end - (phase1 == 0 ? start : phase1);
                event.commit();
            }
            if (mode == Durability.NO_SYNC
                    && (sinceBasePages > checkpointPages || heldPages > checkpointHeldPages)) {
                checkpointLocked();
            }
        } catch (StoreFailure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The in-memory state may no longer match the file: refuse further writes.
            poison(e);
            throw e;
        }
    }

    /** Whether a failed write says the disk or the file size limit is full. */
    private static boolean isFull(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("File too large") || m.contains("quota");
    }

    /** State {@code txn}, whose meta is in {@code slot}, is durable: it becomes the base. */
    private void newBase(int slot, long txn) {
        baseSlot = slot;
        baseTxn = txn;
        // Blocks of later commits (made while a group force ran) stay in the record.
        for (Iterator<Map.Entry<Long, long[]>> it = sinceBase.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, long[]> e = it.next();
            if (e.getValue()[1] <= txn) {
                sinceBasePages -= 1L << Meta.entryOrder(e.getKey());
                it.remove();
            }
        }
        synchronized (syncLock) {
            durableTxn = Math.max(durableTxn, txn);
            syncLock.notifyAll();
        }
    }

    /** Makes the last commit the base: one force. Caller holds the write lock. */
    private void checkpointLocked() throws IOException {
        Meta m = committed;
        if (m.txnId == baseTxn) {
            return;
        }
        CheckpointEvent event = new CheckpointEvent();
        event.begin();
        force();
        hook.at(Point.AFTER_CHECKPOINT);
        event.fromTxn = baseTxn;
        event.toTxn = m.txnId;
        newBase(1 - baseSlot, m.txnId);
        checkpoints++;
        event.commit();
    }

    /** Sets when NO_SYNC commits force a checkpoint (pages written since the last one, pages held back). */
    /**
     * Refuses to grow the file past {@code pages} pages: a transaction that needs more fails with
     * {@link Problem#NO_SPACE} (and can be aborted, losing nothing committed).
     */
    public void limitPages(long pages) {
        this.maxPages = pages;
    }

    /**
     * Grows the file now to at least {@code pages} pages (written and forced, so the space is
     * really there): later commits fill it without growing the file.
     */
    public void preallocate(long pages) throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            long c = file.pageCount();
            while (c < pages && c < Integer.MAX_VALUE) {
                c = Chunks.next(c);
            }
            if (c > file.pageCount()) {
                file.grow(c);
            }
        } finally {
            writeLock.unlock();
        }
    }

    public void checkpointAfter(long writtenPages, long heldPages) {
        this.checkpointPages = writtenPages;
        this.checkpointHeldPages = heldPages;
    }

    /** Forces a checkpoint now (NO_SYNC and GROUP): every commit so far becomes durable. */
    public void checkpoint() throws IOException {
        if (durability == Durability.GROUP) {
            awaitDurable(committed.txnId);
            return;
        }
        writeLock.lock();
        try {
            checkWritable();
            checkpointLocked();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits until a force has covered transaction {@code txn} (GROUP). Group commit:
     * <ol>
     *   <li>A committer whose commit is not durable yet becomes the leader, unless one is at work:
     *       then it waits for that leader's force, and leads the next one if that did not cover
     *       it.</li>
     *   <li>The leader, under the write lock, takes the last commit {@code L} (its meta is in the
     *       slot that is not the base) and sets {@link #forcing}; then, without the lock, forces.
     *       Meanwhile writers go on committing: their blocks go to the file, their metas wait in
     *       {@link #deferred}, because the slot must hold {@code L}'s meta while it is forced.</li>
     *   <li>Under the lock again: {@code L} becomes the base; the deferred meta, if any, goes into
     *       the other slot, and the next leader's force covers it and every commit before it.</li>
     * </ol>
     * So commits that arrive during a force share the next one.
     */
    void awaitDurable(long txn) throws IOException {
        for (;;) {
            synchronized (syncLock) {
                while (durableTxn < txn && leading) {
                    try {
                        syncLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while waiting for a group commit's force");
                    }
                }
                if (durableTxn >= txn) {
                    return;
                }
                leading = true;
            }
            try {
                groupForce();
            } finally {
                synchronized (syncLock) {
                    leading = false;
                    syncLock.notifyAll();
                }
            }
        }
    }

    /** Step 2 and 3 of {@link #awaitDurable}. */
    private void groupForce() throws IOException {
        long target;
        writeLock.lock();
        try {
            checkWritable();
            writeDeferred();
            target = committed.txnId;
            if (target == baseTxn) {
                return;
            }
            forcing = true;
        } finally {
            writeLock.unlock();
        }
        CheckpointEvent event = new CheckpointEvent();
        event.begin();
        boolean forced = false;
        try {
            force();
            forced = true;
            hook.at(Point.AFTER_CHECKPOINT);
        } finally {
            writeLock.lock();
            try {
                forcing = false;
                if (forced) {
                    event.fromTxn = baseTxn;
                    event.toTxn = target;
                    newBase(1 - baseSlot, target);
                    checkpoints++;
                    event.commit();
                    writeDeferred();
                }
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Writes the meta of the last commit, deferred during a group force, into its slot. */
    private void writeDeferred() throws IOException {
        MemorySegment page = deferred;
        if (page != null) {
            deferred = null;
            try {
                file.write(1 - baseSlot, page);
            } catch (IOException | RuntimeException e) {
                throw poison(e); // the last commit's meta is in no slot: nothing may build on it
            }
            recycle(page, 0);
        }
    }

    private void force() throws IOException {
        try {
            file.force();
        } catch (IOException e) {
            throw poison(e);
        }
    }

    private StoreFailure poison(Exception e) {
        StoreFailure p = new StoreFailure(Problem.FAILED_FORCE,
                "a commit failed (" + e + "); what reached the disk is unknown, so the store refuses further writes;"
                        + " reopen it to recover the last durable commit", e);
        if (poisoned == null) {
            poisoned = p;
        }
        return p;
    }

    /** Smallest order whose block holds {@code bytes} (at least one page). */
    int orderFor(long bytes) {
        long pages = Math.max(1, (bytes + pageSize - 1) / pageSize);
        int n = 64 - Long.numberOfLeadingZeros(pages - 1);
        if (n > Chunks.MAX_ORDER) {
            throw new IllegalArgumentException(bytes + " bytes exceed the largest block ("
                    + ((long) pageSize << Chunks.MAX_ORDER) + " bytes)");
        }
        return n;
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
        return allocator;
    }

    /** Blocks held back from reuse (freed, still reachable by a reader or the base). */
    public List<long[]> held() {
        return List.copyOf(held);
    }

    public long commits() {
        return commits;
    }

    public long checkpoints() {
        return checkpoints;
    }

    /** What open skipped or found damaged ({@link Fallback}): null when there was nothing to report. */
    public Recovery recovery() {
        return recovery;
    }

    /** Counters and sizes of the page layer; consistent when no transaction is open. */
    public record Stats(long fileBytes, long pageCount, long pagesInUse, long freePages, long heldPages,
            int[] freeBlocksPerOrder, long commits, long checkpoints, long lastTxn, long baseTxn, int readers,
            Recovery recovery) {
        @Override
        public String toString() {
            return "Stats[file=" + fileBytes + " B, pages=" + pageCount + ", inUse=" + pagesInUse + ", free=" + freePages
                    + ", held=" + heldPages + ", freeBlocksPerOrder=" + java.util.Arrays.toString(freeBlocksPerOrder)
                    + ", commits=" + commits + ", checkpoints=" + checkpoints + ", lastTxn=" + lastTxn + ", baseTxn="
                    + baseTxn + ", readers=" + readers + (recovery == null ? "" : ", recovery=" + recovery) + "]";
        }
    }

    /** A snapshot of the counters (taken under the write lock: waits for an open transaction). */
    public Stats stats() {
        writeLock.lock();
        try {
            int[] perOrder = new int[Chunks.MAX_ORDER + 1];
            for (int n = 0; n < perOrder.length; n++) {
                perOrder[n] = allocator.freeBlocks(n);
            }
            int r;
            synchronized (readers) {
                r = readers.values().stream().mapToInt(Integer::intValue).sum();
            }
            long pages = allocator.capacity();
            return new Stats(pages * pageSize, pages, pages - allocator.freePages() - heldPages, allocator.freePages(),
                    heldPages, perOrder, commits, checkpoints, committed.txnId, baseTxn, r, recovery);
        } finally {
            writeLock.unlock();
        }
    }

    /** The transaction of the base: the state a machine crash falls back to at worst. */
    public long baseTxn() {
        return baseTxn;
    }

    public long heldPages() {
        return heldPages;
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

    private void checkWritable() throws StoreFailure {
        if (closed) {
            throw new StoreFailure(Problem.CLOSED, "the store is closed");
        }
        StoreFailure p = poisoned;
        if (p != null) {
            throw new StoreFailure(Problem.FAILED_FORCE, p.getMessage(), p);
        }
        RuntimeException d = checks.damage();
        if (d != null) { // a write would copy damaged blocks into new ones, checksummed as good
            throw new StoreFailure(Problem.CORRUPT, "the store is damaged (" + d.getMessage()
                    + "); it refuses writes: copy out what reads, or restore it from a backup", d);
        }
    }

    /** Which blocks passed their checksum, and the damage found in the store. */
    public BlockChecks checks() {
        return checks;
    }

    /** Closes the pager and its file; open views fail on their next access. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        for (;;) {
            if (durability == Durability.GROUP && poisoned == null) {
                try {
                    awaitDurable(committed.txnId); // also waits for a leader at work
                } catch (IOException e) {
                    // poisoned; close anyway
                }
            }
            writeLock.lock();
            if (!forcing && deferred == null) {
                break; // with the lock held
            }
            writeLock.unlock(); // a group leader came in between: let it finish
        }
        try {
            if (closed) {
                return;
            }
            if (poisoned == null && committed.txnId != baseTxn) {
                try {
                    checkpointLocked(); // unforced commits: make them durable on a clean close
                } catch (IOException e) {
                    // poisoned; close anyway
                }
            }
            closed = true;
            file.close();
            bufferArena.close();
        } finally {
            writeLock.unlock();
        }
    }
}
