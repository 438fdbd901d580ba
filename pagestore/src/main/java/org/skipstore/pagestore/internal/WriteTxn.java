package org.skipstore.pagestore.internal;

import static org.skipstore.pagestore.internal.PageSource.CHECKSUM;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.skipstore.pagestore.Durability;

/**
 * The write transaction of a {@link Pager}: allocates blocks, writes only those, frees blocks,
 * sets roots, and commits or aborts. One at a time (it holds the pager's write lock from
 * {@link Pager#begin()} until commit, abort or close). Closing without a commit aborts. The commit
 * receives what it changed as one immutable {@link Changes}.
 *
 * <h2>Spill</h2>
 * Each block it allocates is written into a buffer of its own, written through the file at the
 * commit. A large transaction (an engine's flush rewrites much of the store) would hold a buffer
 * per block until then, so its memory would grow with the store. Past the pager's limit
 * ({@link Pager#limitTransactionBuffers}) it writes the buffers it used least recently to their
 * blocks ahead of the commit and gives them back, as LMDB spills dirty pages ({@link #spillExcept}):
 * <ol>
 *   <li>Only at a point where the writer says it holds no segment of its blocks but one.</li>
 *   <li>Runs of the structure are sealed first (their {@link PageSource#CHECKSUM}), and the CRC32C
 *       of each piece as written is kept for the commit's record: the commit lists a spilled
 *       block as if it wrote it then.</li>
 *   <li>Nothing refers to a spilled block but this transaction: its block is free in every state
 *       that a reader or recovery may use, as any block it allocates, so a crash after the write
 *       ({@link Pager.Point#AFTER_SPILL}) leaves only bytes that no state reads. The commit's
 *       barriers make it durable with the rest (the first force, or the record's CRCs).</li>
 *   <li>Reads of a spilled block read the file; a write to it reads it back into a buffer
 *       ({@link #unspill}), which the commit writes again; a free drops it.</li>
 * </ol>
 */
public final class WriteTxn implements PageSource, AutoCloseable {

    private final Pager pager;
    /** The state this transaction started from. */
    private final Meta base;
    /** Its id: the base's plus one. */
    final long id;
    private final long[] roots;
    /** Blocks allocated by this transaction: page -> order. Only these may be written. */
    private final Map<Long, Integer> allocated = new LinkedHashMap<>();
    /**
     * Their write buffers, written through the file at commit: page -> buffer (a run's: see
     * {@link #runs}); in the order of their last use, which {@link #spillExcept} follows.
     */
    private final Map<Long, MemorySegment> buffers = new LinkedHashMap<>(16, 0.75f, true);
    /** Bytes of the buffers this transaction holds now (a run's whole block counted once). */
    private long bufferBytes;
    /** {@link #bufferBytes} past which it spills; 0: never. */
    private long bufferLimit;
    /** Blocks and runs written ahead of the commit ({@link #spillExcept}): first page -> what it is. */
    private final Map<Long, Spilled> spilled = new HashMap<>();
    /** The CRC32C of each piece of those as written (the commit's record lists it): page -> CRC. */
    private final Map<Long, Integer> spilledCrcs = new HashMap<>();
    /**
     * The {@linkplain Runs runs} this transaction allocated: first page -> run. Its pieces are in
     * {@link #allocated}, their buffers slices of the run's one buffer.
     */
    private final Map<Long, Run> runs = new HashMap<>();
    /** The pieces of those runs: page -> the slice of the run's buffer that the commit writes. */
    private final Map<Long, MemorySegment> pieces = new HashMap<>();
    /** Committed blocks freed by this transaction. */
    private final List<Block> freed = new ArrayList<>();
    private final Set<Block> freedSet = new HashSet<>();
    /** The runs of the structure this transaction allocated (first pages): {@link #seal} sums them. */
    private final Set<Long> sealed = new HashSet<>();
    /** The commit metadata as this transaction set it; null while unchanged from the base's. */
    private TreeMap<String, byte[]> metadata;
    private boolean done;
    /** What the structure's writer holds back, written at the commit's start ({@link #beforeCommit}); null: nothing. */
    private HeldBack heldBack;

    /** Changes a writer holds back from the blocks until it is told to write them. */
    public interface HeldBack {
        /** Writes them into blocks of the transaction. */
        void settle() throws IOException;
    }

    WriteTxn(Pager pager, Meta base) {
        this.pager = pager;
        this.base = base;
        this.id = base.txnId + 1;
        this.roots = base.roots();
        this.bufferLimit = pager.transactionBufferLimit();
    }

    /** Bytes of the write buffers it holds now. */
    public long bufferBytes() {
        return bufferBytes;
    }

    /** Blocks and runs it holds written ahead of its commit now ({@link #spillExcept}). */
    public int spilledBlocks() {
        return spilled.size();
    }

    /** Spills past {@code bytes} of buffers ({@link #spillExcept}), or never when 0: for this transaction only. */
    public void limitBuffers(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("limit " + bytes + " is negative");
        }
        bufferLimit = bytes;
    }

    /** The transaction id this commit will have. */
    public long id() {
        return id;
    }

    /** The state this transaction started from. */
    public Meta base() {
        return base;
    }

    /** A new block of {@code 2^n} pages, for this transaction to write; its content is undefined. */
    public long allocate(int n) throws IOException {
        check();
        long page = pager.space.allocate(n, pager.checkpoints::toReuse);
        allocated.put(page, n);
        buffers.put(page, pager.pool.take(n));
        bufferBytes += (long) pager.pageSize() << n;
        return page;
    }

    /** How many free blocks {@link #allocateRun} looks at for one where the run fits as it is. */
    private static final int RUN_FIT_TRIES = 64;

    /**
     * A new run of {@code pages} pages ({@link Runs}), for this transaction to write as one
     * segment ({@link #write}); its content is undefined, and its first bytes are its
     * {@link PageSource#CHECKSUM}, which the commit sets ({@link #seal}). The tail of the block it is cut from is
     * free again at once: no state has seen it.
     */
    public long allocateRun(long pages) throws IOException {
        int k = Runs.orderOf(pages);
        if (pages == 1L << k) {
            long page = allocate(k);
            sealed.add(page);
            return page;
        }
        check();
        long fit = pager.allocator().allocateRunInPlace(pages, RUN_FIT_TRIES);
        long page = fit >= 0 ? fit : pager.space.allocate(k, pager.checkpoints::toReuse);
        if (fit < 0) { // cut from a block of order k, whose tail is free again at once
            Runs.forEachTailBlock(page, pages, pager.space::freeNow);
        }
        MemorySegment whole = pager.pool.take(k);
        int size = pager.pageSize();
        Runs.forEachPiece(page, pages, (piece, n) -> {
            allocated.put(piece, n);
            pieces.put(piece, whole.asSlice((piece - page) * size, (long) size << n));
        });
        runs.put(page, new Run(pages, k, whole));
        buffers.put(page, whole.asSlice(0, pages * size));
        bufferBytes += (long) size << k;
        sealed.add(page);
        return page;
    }

    /**
     * Sets the {@link PageSource#CHECKSUM} of every run of the structure this transaction
     * allocated, now that their content is final: the commit calls it before it writes them.
     */
    void seal() {
        for (long page : sealed) {
            MemorySegment b = buffers.get(page);
            if (b != null) { // else freed again, or sealed when spilled
                seal(b);
            }
        }
    }

    private static void seal(MemorySegment run) {
        run.set(CHECKSUM, 0, Checksums.crc32c(run, CHECKSUM.byteSize(), run.byteSize()));
    }

    /**
     * Frees the run of {@code pages} pages at {@code page} (or a block, when {@code pages} is a
     * power of two): as {@link #free} does, piece by piece.
     */
    public void freeRun(long page, long pages) {
        check();
        if (!dropRun(page, pages)) {
            Runs.forEachPiece(page, pages, this::free);
        }
    }

    /** Frees an own run at once; false when {@code page} is not one. */
    private boolean dropRun(long page, long pages) {
        Spilled s = spilled.get(page);
        if (s != null && s.run) {
            if (s.pages != pages) {
                throw new IllegalArgumentException("run " + page + " has " + s.pages + " pages, not " + pages);
            }
            spilled.remove(page);
            sealed.remove(page);
            Runs.forEachPiece(page, pages, (piece, n) -> {
                allocated.remove(piece);
                spilledCrcs.remove(piece);
                pager.space.freeNow(piece, n);
            });
            return true;
        }
        Run r = runs.remove(page);
        if (r != null) {
            if (r.pages != pages) {
                throw new IllegalArgumentException("run " + page + " has " + r.pages + " pages, not " + pages);
            }
            buffers.remove(page);
            sealed.remove(page);
            Runs.forEachPiece(page, pages, (piece, n) -> {
                allocated.remove(piece);
                pieces.remove(piece);
                pager.space.freeNow(piece, n);
            });
            pager.pool.give(r.whole, r.order);
            bufferBytes -= (long) pager.pageSize() << r.order;
            return true;
        }
        return false;
    }

    /** A run this transaction allocated: its pages, and the order and buffer it was cut from. */
    private record Run(long pages, int order, MemorySegment whole) {
    }

    /** A spilled block ({@code pages == 1 << order}) or run ({@code run}: cut from a block of that order). */
    private record Spilled(long pages, int order, boolean run) {
    }

    /**
     * The writable segment of block {@code page}, which this transaction allocated: a buffer that
     * the commit writes to the file (the transaction's reads of the block see it).
     *
     * @throws IllegalStateException when the block is not this transaction's: committed pages are
     *                               never written in place (copy them into a new block)
     */
    public MemorySegment write(long page) {
        check();
        MemorySegment b = buffers.get(page);
        if (b == null && spilled.containsKey(page)) {
            b = unspill(page);
        }
        if (b == null) {
            throw new IllegalStateException("page " + page + " was not allocated by transaction " + id
                    + ": committed pages are never written in place");
        }
        return b;
    }

    @Override
    public MemorySegment block(long page, long pagesOffset) {
        check();
        MemorySegment own = buffers.get(page);
        if (own != null) {
            return own.asReadOnly(); // write() is how the writer changes it
        }
        // A spilled block may lie past the base's pages, in the file as it grew since.
        long pages = spilled.containsKey(page) ? pager.file().pageCount() : base.pageCount;
        return pager.checks().check(page, pager.file().block(page, pagesOffset, pages));
    }

    @Override
    public MemorySegment run(long page, long pages) {
        MemorySegment r = read(page, pages);
        return owns(page) ? r : pager.checks().check(page, r); // own runs are sealed at commit
    }

    @Override
    public int pageSize() {
        return pager.pageSize();
    }

    /** Whether this transaction allocated block {@code page} (so it may write it). */
    public boolean owns(long page) {
        return buffers.containsKey(page) || spilled.containsKey(page);
    }

    /** What the commit writes at block {@code page} (one of {@link #allocated}). */
    MemorySegment buffer(long page) {
        MemorySegment piece = pieces.get(page);
        return piece != null ? piece : buffers.get(page);
    }

    /**
     * A read-only view of pages {@code [page, page + count)}: of a committed state, or of a block
     * this transaction allocated (then the range must lie inside that block).
     */
    @Override
    public MemorySegment read(long page, long count) {
        check();
        if (allocated.containsKey(page) && !spilled.containsKey(page)) {
            return write(page).asSlice(0, count * pager.pageSize()).asReadOnly();
        }
        return pager.file().pages(page, count).asReadOnly();
    }

    /**
     * Frees a block: at once when this transaction allocated it; else (a committed block) when no
     * reader and no recoverable state can reach it any more.
     */
    public void free(long page, int n) {
        check();
        Integer a = allocated.get(page);
        if (a != null) {
            if (a != n) {
                throw new IllegalArgumentException("block " + page + " has order " + a + ", not " + n);
            }
            freeAllocated(page, n);
            return;
        }
        if (!Block.isStoreBlock(page, n, base.pageCount)) {
            throw new IllegalArgumentException("no committed block of order " + n + " at page " + page);
        }
        Block b = new Block(page, n);
        if (!freedSet.add(b) || pager.allocator().isFreeBlock(page, n) || pager.held.contains(b)) {
            throw new IllegalStateException("block " + page + "/" + n + " is free already (double free)");
        }
        freed.add(b);
    }

    private void freeAllocated(long page, int n) {
        allocated.remove(page);
        sealed.remove(page); // the pager may take the page back for a block of its own
        spilledCrcs.remove(page);
        if (spilled.remove(page) == null && pieces.remove(page) == null) { // a run's pieces share its buffer
            MemorySegment b = buffers.remove(page);
            if (b != null) {
                pager.pool.give(b, n);
                bufferBytes -= (long) pager.pageSize() << n;
            }
        }
        pager.space.freeNow(page, n);
    }

    // ---- spill -----------------------------------------------------------------------------------

    /**
     * The writer holds no segment of this transaction's blocks but block {@code inUse}'s (0: none),
     * and will ask for each again ({@link #write}, {@link #block}): when its buffers pass the limit,
     * those it used least recently are written to their blocks now and given back, down to half
     * the limit (see the class comment, "Spill").
     *
     * @throws StoreFailure when the write failed ({@link org.skipstore.core.SkipstoreException.Problem#NO_SPACE}
     *                      for a full disk): nothing is lost, the transaction is to be aborted
     */
    public void spillExcept(long inUse) throws IOException {
        if (bufferLimit == 0 || bufferBytes <= bufferLimit) {
            return;
        }
        check();
        int size = pager.pageSize();
        List<Changes.Write> victims = new ArrayList<>();
        long toFree = bufferBytes - bufferLimit / 2;
        for (Map.Entry<Long, MemorySegment> e : buffers.entrySet()) { // least recently used first
            if (toFree <= 0) {
                break;
            }
            long page = e.getKey();
            if (page != inUse) {
                Run r = runs.get(page);
                int order = r != null ? r.order : allocated.get(page);
                victims.add(new Changes.Write(new Block(page, order), e.getValue()));
                toFree -= (long) size << order;
            }
        }
        List<Changes.Write> pieceWrites = new ArrayList<>(victims.size());
        for (Changes.Write v : victims) {
            long page = v.block().page();
            if (sealed.contains(page)) {
                seal(v.content());
            }
            long pages = v.content().byteSize() / size; // a run's, not its block's
            Runs.forEachPiece(page, pages, (piece, n) -> {
                MemorySegment content = v.content().asSlice((piece - page) * size, (long) size << n);
                spilledCrcs.put(piece, Checksums.crc32c(content, 0, content.byteSize()));
                pieceWrites.add(new Changes.Write(new Block(piece, n), content));
            });
        }
        try {
            Commit.writeAhead(pager, pieceWrites);
        } catch (IOException | RuntimeException e) { // nothing spilled: the buffers stay, and the commit writes them
            for (Changes.Write w : pieceWrites) {
                spilledCrcs.remove(w.block().page());
            }
            throw e;
        }
        for (Changes.Write v : victims) {
            long page = v.block().page();
            buffers.remove(page);
            Run r = runs.remove(page);
            if (r != null) {
                Runs.forEachPiece(page, r.pages, (piece, n) -> pieces.remove(piece));
                pager.pool.give(r.whole, r.order);
            } else {
                pager.pool.give(v.content(), v.block().order());
            }
            spilled.put(page, new Spilled(v.content().byteSize() / size, v.block().order(), r != null));
            bufferBytes -= (long) size << v.block().order();
            if (sealed.contains(page)) {
                pager.checks().passed(page); // summed from the bytes written: no second sum when read
            }
        }
        pager.hook.at(Pager.Point.AFTER_SPILL);
    }

    /** A spilled block the writer changes again: back into a buffer, which the commit writes (again). */
    private MemorySegment unspill(long page) {
        Spilled s = spilled.remove(page);
        int size = pager.pageSize();
        MemorySegment whole = pager.pool.take(s.order);
        MemorySegment.copy(pager.file().pages(page, s.pages), 0, whole, 0, s.pages * size);
        Runs.forEachPiece(page, s.pages, (piece, n) -> {
            spilledCrcs.remove(piece);
            if (s.run) {
                pieces.put(piece, whole.asSlice((piece - page) * size, (long) size << n));
            }
        });
        MemorySegment b = whole;
        if (s.run) {
            runs.put(page, new Run(s.pages, s.order, whole));
            b = whole.asSlice(0, s.pages * size);
        }
        buffers.put(page, b);
        bufferBytes += (long) size << s.order;
        return b;
    }

    @Override
    public long root(int i) {
        return roots[i];
    }

    public void setRoot(int i, long value) {
        check();
        roots[i] = value;
    }

    @Override
    public SortedMap<String, byte[]> metadata() {
        check();
        return metadata == null ? CommitMetadata.read(this, base) : Collections.unmodifiableSortedMap(metadata);
    }

    /**
     * Sets commit metadata {@code name} to {@code value} (a copy is kept), committed with the data
     * ({@link CommitMetadata}); a null value removes the name.
     *
     * @throws IllegalArgumentException for an empty or too long name, or when the metadata would
     *                                  pass {@link CommitMetadata#MAX_BYTES} (nothing changes then)
     */
    public void putMetadata(String name, byte[] value) {
        check();
        CommitMetadata.checkName(name);
        TreeMap<String, byte[]> next = new TreeMap<>(metadata());
        if (value == null) {
            next.remove(name);
        } else {
            next.put(name, value.clone());
        }
        CommitMetadata.checkSize(next);
        metadata = next;
    }

    /** Writes changed metadata into a block of its own, freeing the base's: at commit, before {@link #seal}. */
    private Meta.Stored storeMetadata() throws IOException {
        if (metadata == null || CommitMetadata.same(metadata, CommitMetadata.read(this, base))) {
            return base.metadata;
        }
        if (!base.metadata.isNone()) {
            free(base.metadata.page(), base.metadata.order());
        }
        if (metadata.isEmpty()) {
            return Meta.Stored.NONE;
        }
        int n = pager.space.orderFor(CommitMetadata.size(metadata));
        long page = allocate(n);
        MemorySegment b = write(page);
        int bytes = (int) CommitMetadata.encode(metadata, b);
        return new Meta.Stored(page, n, bytes, Checksums.crc32c(b, 0, bytes));
    }

    /**
     * Has the commit first write what {@code h} holds back, so that no change a writer made is
     * lost to a commit that forgot it (the last one given counts).
     */
    public void beforeCommit(HeldBack h) {
        heldBack = h;
    }

    /** Commits with the pager's {@link Durability}; see {@link Pager}. */
    public void commit() throws IOException {
        commit(pager.durability());
    }

    void commit(Durability mode) throws IOException {
        check();
        boolean committed = false;
        try {
            if (heldBack != null) {
                heldBack.settle();
            }
            Meta.Stored md = storeMetadata();
            seal(); // the structure's runs are final: their checksums first, the record's CRCs cover them
            pager.commit(changes(md), mode);
            committed = true;
            releaseBuffers();
        } finally {
            done = true;
            try {
                if (!committed && !pager.isPoisoned()) {
                    rollback(); // a commit refused before it changed anything (no space, closed)
                }
            } catch (RuntimeException e) {
                // the commit's own exception is the one to report
            } finally {
                pager.end(this);
            }
        }
        if (mode == Durability.GROUP) {
            pager.group.awaitDurable(id);
        }
    }

    /** What this transaction changed, for the commit. */
    private Changes changes(Meta.Stored md) {
        List<Changes.Write> writes = new ArrayList<>(allocated.size() - spilledCrcs.size());
        List<Commit.Written> ahead = new ArrayList<>(spilledCrcs.size());
        for (Map.Entry<Long, Integer> a : allocated.entrySet()) {
            Block b = new Block(a.getKey(), a.getValue());
            Integer crc = spilledCrcs.get(a.getKey());
            if (crc != null) {
                ahead.add(new Commit.Written(b, crc));
            } else {
                writes.add(new Changes.Write(b, buffer(a.getKey())));
            }
        }
        return new Changes(id, base, roots, writes, ahead, freed, md, List.copyOf(sealed));
    }

    /** Drops everything this transaction did. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            rollback();
        } finally {
            pager.end(this);
        }
    }

    private void rollback() {
        for (Map.Entry<Long, Run> r : List.copyOf(runs.entrySet())) {
            dropRun(r.getKey(), r.getValue().pages);
        }
        for (Map.Entry<Long, Spilled> s : List.copyOf(spilled.entrySet())) {
            if (s.getValue().run) {
                dropRun(s.getKey(), s.getValue().pages);
            }
        }
        for (Map.Entry<Long, Integer> a : List.copyOf(allocated.entrySet())) {
            freeAllocated(a.getKey(), a.getValue());
        }
        freed.clear();
    }

    /** After a commit: the buffers go back to the pool. */
    void releaseBuffers() {
        for (Map.Entry<Long, Run> r : runs.entrySet()) {
            buffers.remove(r.getKey());
            pager.pool.give(r.getValue().whole, r.getValue().order);
        }
        runs.clear();
        pieces.clear();
        for (Map.Entry<Long, MemorySegment> b : buffers.entrySet()) {
            pager.pool.give(b.getValue(), allocated.get(b.getKey()));
        }
        buffers.clear();
        spilled.clear();
        spilledCrcs.clear();
        bufferBytes = 0;
    }

    @Override
    public void close() {
        abort();
    }

    private void check() {
        if (done) {
            throw new IllegalStateException("transaction " + id + " is finished");
        }
    }
}
