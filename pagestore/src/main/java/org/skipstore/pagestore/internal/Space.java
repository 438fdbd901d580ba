package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The file's space: the {@link BuddyAllocator} over its pages, the {@link BlockChecks} sized to
 * them, growth by whole chunks ({@link Chunks}) up to a size limit, and the error that names
 * where the space went when the limit is reached ({@link NoSpace}). Guarded by the pager's write
 * lock.
 *
 * <p>Growth only maps ({@link PageFile#grow}): a new chunk costs no writes and no disk, the file
 * lengthens as blocks are written into it, and a full disk shows as a failed block write at
 * commit, which SYNC commits report as {@code NO_SPACE} with nothing committed.
 * {@link #preallocate} is the way to have the space for real: it writes the zeros.
 */
final class Space {

    /** Makes room at the size limit by a checkpoint ({@link Checkpoints#toReuse}); true when it freed some. */
    @FunctionalInterface
    interface Room {
        boolean make() throws IOException;
    }

    private final PageFile file;
    private final BuddyAllocator allocator;
    private final BlockChecks checks;
    private final HeldBlocks held;
    private final Readers readers;
    private final LongSupplier baseTxn;
    private final Pager.Hook hook;
    private final int pageSize;
    /** No block is allocated past this many pages, so the file never grows past them ({@link #limitPages}). */
    private volatile long maxPages = Long.MAX_VALUE;

    Space(PageFile file, long pageCount, HeldBlocks held, Readers readers, LongSupplier baseTxn, Pager.Hook hook) {
        this.file = file;
        this.allocator = new BuddyAllocator(pageCount);
        this.checks = new BlockChecks(pageCount);
        this.held = held;
        this.readers = readers;
        this.baseTxn = baseTxn;
        this.hook = hook;
        this.pageSize = file.pageSize();
    }

    BuddyAllocator allocator() {
        return allocator;
    }

    BlockChecks checks() {
        return checks;
    }

    /**
     * A free block of order {@code n}, growing the file by a chunk at a time when none fits; at
     * the size limit, {@code room} may first make some by a checkpoint.
     *
     * @throws org.skipstore.pagestore.StoreFailure {@code NO_SPACE} at the limit
     */
    long allocate(int n, Room room) throws IOException {
        return allocate(1L << n, false, room);
    }

    /** A free {@linkplain Runs run} of {@code pages} pages ({@link BuddyAllocator#allocateRun}), growing the file as {@link #allocate} does. */
    long allocateRun(long pages, Room room) throws IOException {
        return allocate(pages, true, room);
    }

    /**
     * A block of {@code pages} (a power of two) or a run, growing the chunks one at a time until
     * one is free. At the size limit, which may fall inside the last chunk, a free block that
     * passes it is set aside while another is sought, and given back after.
     */
    private long allocate(long pages, boolean run, Room room) throws IOException {
        int n = Runs.orderOf(pages);
        long[] aside = null; // blocks past the limit: rare, only at a store's maximum size
        int asideCount = 0;
        try {
            for (;;) {
                long page = run ? allocator.allocateRun(pages) : allocator.allocate(n);
                if (page >= 0 && page + pages <= maxPages) {
                    return page;
                }
                if (page >= 0) {
                    aside = aside == null ? new long[4] : asideCount == aside.length ? Arrays.copyOf(aside, asideCount * 2) : aside;
                    aside[asideCount++] = page;
                    continue;
                }
                long capacity = allocator.capacity();
                long next = Chunks.next(capacity);
                boolean atLimit = next > Integer.MAX_VALUE || capacity >= maxPages; // a new chunk would hold no page below it
                if (atLimit && room.make()) {
                    continue;
                }
                if (atLimit) {
                    giveBack(aside, asideCount, pages, run);
                    asideCount = 0;
                    throw next > Integer.MAX_VALUE
                            ? NoSpace.error("the file has reached its largest size", allocator, n, held,
                                    baseTxn.getAsLong(), readers.oldest(), pageSize)
                            : NoSpace.error("the store has reached its maximum size (" + maxPages + " pages)",
                                    allocator, n, held, baseTxn.getAsLong(), readers.oldest(), pageSize);
                }
                if (next > file.pageCount()) {
                    file.grow(next);
                }
                allocator.grow(next);
                checks.grow(next);
                hook.at(Pager.Point.AFTER_GROWTH);
            }
        } finally {
            giveBack(aside, asideCount, pages, run);
        }
    }

    private void giveBack(long[] aside, int count, long pages, boolean run) {
        for (int i = 0; i < count; i++) {
            if (run) {
                allocator.freeRun(aside[i], pages);
            } else {
                allocator.free(aside[i], Runs.orderOf(pages));
            }
        }
    }

    /** Frees a block no state has seen (a transaction's own, or the tail of a run). */
    void freeNow(long page, int n) {
        allocator.free(page, n);
    }

    /** Frees a run no state has seen (a transaction's own). */
    void freeRunNow(long page, long pages) {
        allocator.freeRun(page, pages);
    }

    /** Smallest order whose block holds {@code bytes} (at least one page). */
    int orderFor(long bytes) {
        long pages = Math.max(1, (bytes + pageSize - 1) / pageSize);
        if (pages > Chunks.MAX_CHUNK_PAGES) {
            throw new IllegalArgumentException(bytes + " bytes exceed the largest block ("
                    + ((long) pageSize << Chunks.MAX_ORDER) + " bytes)");
        }
        return Block.orderFor(pages);
    }

    void limitPages(long pages) {
        this.maxPages = pages;
    }

    /**
     * Grows the file now to at least {@code pages} pages and reserves them on the disk: the pages
     * past its end are written (zeros, in 1 MiB writes) and forced, so that commits into them
     * cannot fail for a full disk. Costs one write of the new space; a file as long already is
     * left as it is.
     */
    void preallocate(long pages) throws IOException {
        long from = file.length();
        if (pages <= from) {
            return;
        }
        long c = file.pageCount();
        while (c < pages && c < Integer.MAX_VALUE) {
            c = Chunks.next(c);
        }
        if (c > file.pageCount()) {
            file.grow(c); // the allocator takes the new chunks as it needs them (allocate)
        }
        long end = Math.min(pages, c);
        long step = Math.max(1, (1L << 20) / pageSize);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment zeros = a.allocate(step * pageSize, pageSize);
            for (long p = from; p < end;) {
                long n = Math.min(Math.min(step, end - p), Chunks.start(Chunks.chunkOf(p) + 1) - p); // one chunk a write
                file.write(p, zeros.asSlice(0, n * pageSize)); // free pages only: no state uses them
                p += n;
            }
        }
        file.force();
    }
}
