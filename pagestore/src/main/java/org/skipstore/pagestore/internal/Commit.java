package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * One commit, up to the point where its mode makes it durable ({@link CommitMode}). Runs under
 * the pager's write lock, on the {@link Changes} the transaction handed over.
 *
 * <ol>
 *   <li>The previous state's free list and commit record are replaced: they join the blocks this
 *       commit frees.</li>
 *   <li>A commit record block, in the checksummed modes (all but {@code SYNC}).</li>
 *   <li>The free list: every block free in the new state (the allocator's, the held ones, the
 *       ones this commit frees), inline in the meta page while it fits ({@link Meta#INLINE_FREE}),
 *       else in a block of its own, with its CRC32C.</li>
 *   <li>The record: {@code (block, CRC32C)} of every block written, those the transaction wrote
 *       ahead ({@link WriteTxn#spillExcept}) included, and for unforced modes of every live block
 *       written since the base ({@link SinceBase}).</li>
 *   <li>Every block written through the file ({@link PageFile#write}), which lengthens it as far
 *       as they reach; the meta records that length ({@link Meta#filePages}), then is written by mode:
 *       {@link TwoPhaseCommit}, {@link SingleBarrierCommit}, {@link UnforcedCommit}.</li>
 *   <li>Publish: the freed blocks are held ({@link HeldBlocks}), the new state becomes what new
 *       readers read (a volatile write).</li>
 * </ol>
 * A refusal ({@link StoreFailure}: no space, a failed block write in the forced modes) changed
 * no state: the commit gives back its own blocks and buffers, the transaction its own, and the
 * store stays usable. Any other failure poisons the pager ({@link Pager#poison}): what the file
 * holds may no longer match the pager's state.
 */
final class Commit {

    private final Pager p;
    private final Changes c;
    private final CommitMode mode;
    /** The blocks this commit allocated itself (record, free list), given back if it fails early. */
    private final List<Block> own = new ArrayList<>(2);
    private final List<MemorySegment> ownBuffers = new ArrayList<>(2);
    /** The meta page's buffer until the mode takes it ({@link CommitMode#complete}). */
    private MemorySegment metaPage;

    private Commit(Pager p, Changes c, Durability durability) {
        this.p = p;
        this.c = c;
        this.mode = CommitMode.of(durability);
    }

    /** Commits {@code c} with {@code durability}: see the class comment. */
    static void run(Pager p, Changes c, Durability durability) throws IOException {
        new Commit(p, c, durability).run(durability);
    }

    private void run(Durability durability) throws IOException {
        CommitEvent event = new CommitEvent();
        event.begin();
        try {
            Meta prev = c.base();
            List<Block> freed = new ArrayList<>(c.freed());            // step 1
            if (prev.freeList != 0) {
                freed.add(new Block(prev.freeList, prev.freeOrder));
            }
            if (prev.record != 0) {
                freed.add(new Block(prev.record, prev.recordOrder));
            }
            Block record = null;                                         // step 2
            if (mode.checksummed()) {
                long entries = (mode.listsSinceBase() ? p.sinceBase.count() : 0) + c.blocks().size() + c.ahead().size() + 2;
                record = allocate(p.space.orderFor(entries * Meta.RECORD_ENTRY.byteSize()));
            }
            metaPage = p.pool.takeLasting(0);                            // step 3
            metaPage.fill((byte) 0);
            Block freeBlock = null;
            MemorySegment fl;
            BuddyAllocator allocator = p.space.allocator();
            if (allocator.freeBlocks() + p.held.count() + freed.size() <= Meta.inlineCapacity(p.pageSize())) {
                fl = metaPage.asSlice(Meta.INLINE_FREE);
            } else {
                for (;;) {
                    long need = (long) allocator.freeBlocks() + p.held.count() + freed.size() + Chunks.MAX_ORDER + 2;
                    freeBlock = allocate(p.space.orderFor(need * Meta.FREE_ENTRY.byteSize()));
                    long cap = (freeBlock.pages() * p.pageSize()) / Meta.FREE_ENTRY.byteSize();
                    if (allocator.freeBlocks() + p.held.count() + freed.size() <= cap) {
                        break;
                    }
                    unallocate(freeBlock); // the allocation split a block: take a bigger one
                }
                fl = buffer(freeBlock.order());
            }
            int[] count = {0};
            allocator.forEachFree((page, n) -> Meta.setEntry(fl, count[0]++, Meta.freeEntry(page, n)));
            p.held.forEach(b -> Meta.setEntry(fl, count[0]++, b.entry()));
            for (Block b : freed) {
                Meta.setEntry(fl, count[0]++, b.entry());
            }
            int freeCount = count[0];
            int freeCrc = Checksums.crc32c(fl, 0, Meta.FREE_ENTRY.byteSize() * freeCount);

            List<Changes.Write> writes = new ArrayList<>(c.blocks());
            if (freeBlock != null) {
                writes.add(new Changes.Write(freeBlock, fl));
            }
            List<Written> written = new ArrayList<>();                   // step 4
            int recordCount = 0;
            int recordCrc = 0;
            MemorySegment rb = null;
            if (record != null) {
                written.addAll(c.ahead());
                for (Changes.Write w : writes) {
                    written.add(new Written(w.block(), Checksums.crc32c(w.content(), 0, w.content().byteSize())));
                }
                rb = buffer(record.order());
                if (mode.listsSinceBase()) {
                    for (Block b : freed) {
                        p.sinceBase.remove(b);
                    }
                    int[] i = {0};
                    MemorySegment r = rb;
                    p.sinceBase.forEach((b, s) -> Meta.setRecord(r, i[0]++, b.entry(), s.crc()));
                    recordCount = i[0];
                }
                for (Written w : written) {
                    Meta.setRecord(rb, recordCount++, w.block().entry(), w.crc());
                }
                recordCrc = Checksums.crc32c(rb, 0, recordCount * Meta.RECORD_ENTRY.byteSize());
                writes.add(new Changes.Write(record, rb)); // not listed in itself: its CRC is in the meta
            }
            writeBlocks(writes);                                         // step 5
            // the file may be longer than the allocator's pages: writes of a commit a crash cut short
            Meta next = new Meta(p.pageSize(), c.id(), allocator.capacity(), Math.min(p.file().length(), allocator.capacity()),
                    freeBlock == null ? 0 : freeBlock.page(), freeBlock == null ? 0 : freeBlock.order(), freeCount,
                    freeCrc, record == null ? 0 : record.page(), record == null ? 0 : record.order(), recordCount,
                    recordCrc, c.roots(), c.metadata());
            next.writeTo(metaPage);
            p.hook.at(Pager.Point.BEFORE_PHASE_1);
            long start = System.nanoTime();
            MemorySegment meta = metaPage;
            metaPage = null; // the mode's now
            long phase1 = mode.complete(p, c.id(), meta, written);
            for (Block b : freed) {                                      // step 6
                p.held.add(b, c.id());
            }
            for (MemorySegment b : ownBuffers) {
                p.pool.give(b, Block.orderFor(b.byteSize() / p.pageSize()));
            }
            p.publish(next);
            if (event.shouldCommit()) {
                long end = System.nanoTime();
                event.txn = c.id();
                event.durability = durability();
                event.blocks = writes.size() + c.ahead().size(); // the spilled ones too: written for this commit
                long pages = 0;
                for (Changes.Write w : writes) {
                    pages += w.block().pages();
                }
                for (Written w : c.ahead()) {
                    pages += w.block().pages();
                }
                event.bytes = pages * p.pageSize();
                event.phase1 = phase1 == 0 ? 0 : phase1 - start;
                event.phase2 = end - (phase1 == 0 ? start : phase1);
                event.commit();
            }
            mode.published(p);
        } catch (StoreFailure e) {
            if (!p.isPoisoned()) {
                giveBack(); // a refusal: nothing changed, and the caller rolls the transaction back
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            p.poison(Problem.FAILED_WRITE, e); // the in-memory state may no longer match the file: refuse further writes
            throw e;
        }
    }

    private String durability() {
        return mode.durability().name();
    }

    /** Step 5's block writes. A failure in the forced modes changed nothing and is reported as such. */
    private void writeBlocks(List<Changes.Write> writes) throws IOException {
        try {
            write(p, writes);
        } catch (IOException e) {
            if (e instanceof ClosedChannelException) {
                throw p.poison(Problem.FAILED_WRITE, e); // an interrupt closed the channel: no write can succeed any more
            }
            if (mode.listsSinceBase()) {
                throw e; // its bookkeeping moved on already ({@link SinceBase}): poisoned by the caller
            }
            throw refusal(e, "writing the commit's blocks failed, nothing was committed: ");
        }
        for (long run : c.sealed()) {
            p.space.checks().passed(run); // written as summed: no second sum at the next read
        }
    }

    /**
     * Writes blocks of an open transaction ahead of its commit ({@link WriteTxn#spillExcept}):
     * blocks no state refers to, so a failure loses nothing committed and the transaction is to be
     * aborted.
     */
    static void writeAhead(Pager p, List<Changes.Write> writes) throws IOException {
        try {
            write(p, writes);
        } catch (IOException e) {
            if (e instanceof ClosedChannelException) {
                throw p.poison(Problem.FAILED_WRITE, e); // an interrupt closed the channel: no write can succeed any more
            }
            throw refusal(e, "writing blocks of the transaction ahead of its commit failed, nothing was committed: ");
        }
    }

    /** Writes {@code writes} through the file in page order, blocks side by side in one write. */
    private static void write(Pager p, List<Changes.Write> writes) throws IOException {
        List<Changes.Write> byPage = new ArrayList<>(writes);
        byPage.sort(java.util.Comparator.comparingLong(w -> w.block().page()));
        List<MemorySegment> side = new ArrayList<>();
        long first = 0;
        long end = -1;
        for (Changes.Write w : byPage) {
            if (w.block().page() != end && !side.isEmpty()) {
                p.file().write(first, side);
                side.clear();
            }
            if (side.isEmpty()) {
                first = w.block().page();
            }
            p.space.checks().written(w.block().page()); // before the write: a check of the old bytes no longer holds
            side.add(w.content());
            end = w.block().page() + w.block().pages();
        }
        if (!side.isEmpty()) {
            p.file().write(first, side);
        }
    }

    private static StoreFailure refusal(IOException e, String what) {
        return new StoreFailure(isFull(e) ? Problem.NO_SPACE : Problem.FAILED_WRITE, what + e.getMessage(), e);
    }

    /**
     * Whether a failed write says the disk or the file size limit is full. The JDK reports ENOSPC,
     * EFBIG and EDQUOT only as the message text of an {@code IOException}; the free space of the
     * file store is not asked, because a quota or a size limit leaves it free.
     */
    private static boolean isFull(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No space left") || m.contains("File too large") || m.contains("quota");
    }

    /** A block for the commit itself. */
    private Block allocate(int n) throws IOException {
        Block b = new Block(p.space.allocate(n, p.checkpoints::toReuse), n);
        own.add(b);
        return b;
    }

    private void unallocate(Block b) {
        own.remove(b);
        p.space.freeNow(b.page(), b.order());
    }

    private MemorySegment buffer(int n) {
        MemorySegment b = p.pool.take(n);
        ownBuffers.add(b);
        return b;
    }

    /** Gives back the commit's own blocks and buffers: it failed before it changed any state. */
    private void giveBack() {
        for (Block b : own) {
            p.space.freeNow(b.page(), b.order());
        }
        own.clear();
        for (MemorySegment b : ownBuffers) {
            p.pool.give(b, Block.orderFor(b.byteSize() / p.pageSize()));
        }
        ownBuffers.clear();
        if (metaPage != null) {
            p.pool.give(metaPage, 0);
            metaPage = null;
        }
    }

    /** A block written by this commit and its CRC32C, as its record lists it. */
    record Written(Block block, int crc) {
    }
}
