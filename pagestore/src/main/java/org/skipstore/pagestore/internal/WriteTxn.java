package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
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
 * receives what it changed as one immutable {@link Changes}. Its blocks are written into buffers
 * ({@link TxnBuffers}), which the commit writes through the file; past a bound some are written
 * ahead of the commit ({@link #spillExcept}).
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
    /** Their write buffers (a run's pieces are allocated one by one, its buffer is one). */
    private final TxnBuffers buffers;
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
        this.buffers = new TxnBuffers(pager);
    }

    /** Bytes of the write buffers it holds now. */
    public long bufferBytes() {
        return buffers.bytes();
    }

    /** Blocks and runs it holds written ahead of its commit now ({@link #spillExcept}). */
    public int spilledBlocks() {
        return buffers.spilledCount();
    }

    /** Spills past {@code bytes} of buffers ({@link #spillExcept}), or never when 0: for this transaction only. */
    public void limitBuffers(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("limit " + bytes + " is negative");
        }
        buffers.limit(bytes);
    }

    /**
     * The writer holds no segment of this transaction's blocks but block {@code inUse}'s (0: none),
     * and will ask for each again ({@link #write}, {@link #block}): when its buffers pass the limit,
     * those it used least recently are written to their blocks now and given back, down to half
     * the limit ({@link TxnBuffers}, "Spill").
     *
     * @throws StoreFailure when the write failed ({@link org.skipstore.core.SkipstoreException.Problem#NO_SPACE}
     *                      for a full disk): nothing is lost, the transaction is to be aborted
     */
    public void spillExcept(long inUse) throws IOException {
        check();
        buffers.spillExcept(inUse, sealed);
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
        buffers.addBlock(page, n);
        return page;
    }

    /**
     * A new run of {@code pages} pages ({@link Runs}), for this transaction to write as one
     * segment ({@link #write}); its content is undefined, and its first bytes are its
     * {@link PageSource#CHECKSUM}, which the commit sets ({@link #seal}). It goes where the
     * allocator finds the smallest range of free pages that holds it, at any page
     * ({@link BuddyAllocator#allocateRun}).
     */
    public long allocateRun(long pages) throws IOException {
        check();
        long page = pager.space.allocateRun(pages, pager.checkpoints::toReuse);
        Runs.forEachPiece(page, pages, allocated::put);
        buffers.addRun(page, pages, Runs.orderOf(pages));
        sealed.add(page);
        return page;
    }

    /**
     * Sets the {@link PageSource#CHECKSUM} of every run of the structure this transaction
     * allocated, now that their content is final: the commit calls it before it writes them.
     */
    void seal() {
        buffers.seal(sealed);
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
        if (!buffers.dropRun(page, pages)) {
            return false;
        }
        sealed.remove(page);
        Runs.forEachPiece(page, pages, (piece, n) -> allocated.remove(piece));
        pager.space.freeRunNow(page, pages);
        return true;
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
        MemorySegment b = buffers.write(page);
        if (b == null) {
            throw new IllegalStateException("page " + page + " was not allocated by transaction " + id
                    + ": committed pages are never written in place");
        }
        return b;
    }

    @Override
    public MemorySegment block(long page, long pagesOffset) {
        check();
        MemorySegment own = buffers.buffered(page);
        if (own != null) {
            return own.asReadOnly(); // write() is how the writer changes it
        }
        // A spilled block may lie past the base's pages, in the file as it grew since.
        long pages = buffers.isSpilled(page) ? pager.file().length() : base.filePages;
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
        return buffers.holds(page);
    }

    /**
     * A read-only view of pages {@code [page, page + count)}: of a committed state, or of a block
     * this transaction allocated (then the range must lie inside that block).
     */
    @Override
    public MemorySegment read(long page, long count) {
        check();
        if (allocated.containsKey(page) && !buffers.isSpilled(page)) {
            return write(page).asSlice(0, count * pager.pageSize()).asReadOnly();
        }
        long pages = buffers.isSpilled(page) ? pager.file().length() : base.filePages;
        if (page + count > pages) { // past them the file may end: never a wild read
            throw new IndexOutOfBoundsException("pages [" + page + ", " + (page + count) + ") pass the state's "
                    + pages + " pages");
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
        buffers.dropBlock(page, n);
        pager.space.freeNow(page, n);
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
        List<Changes.Write> writes = new ArrayList<>(allocated.size());
        List<Commit.Written> ahead = new ArrayList<>();
        for (Map.Entry<Long, Integer> a : allocated.entrySet()) {
            Block b = new Block(a.getKey(), a.getValue());
            Integer crc = buffers.spilledCrc(a.getKey());
            if (crc != null) {
                ahead.add(new Commit.Written(b, crc));
            } else {
                writes.add(new Changes.Write(b, buffers.commitContent(a.getKey())));
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
        for (long[] r : buffers.runs()) {
            dropRun(r[0], r[1]);
        }
        for (Map.Entry<Long, Integer> a : List.copyOf(allocated.entrySet())) {
            freeAllocated(a.getKey(), a.getValue());
        }
        freed.clear();
    }

    /** After a commit: the buffers go back to the pool. */
    void releaseBuffers() {
        buffers.release();
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
