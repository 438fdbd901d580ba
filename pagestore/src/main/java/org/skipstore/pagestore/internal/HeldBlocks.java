package org.skipstore.pagestore.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Blocks freed by committed transactions that may not be reused yet. A block freed by
 * transaction {@code F} is still part of every state before {@code F}; it goes back to the
 * allocator once no open reader reads a state before {@code F} ({@link Readers#oldest}) and the
 * base, the state recovery falls back to, is {@code F} or later ({@link #reclaim}). Unforced
 * states after the base may still use it: recovery would reject them, because the reused block no
 * longer matches the CRC their record lists, and fall back to the base, which does not use it.
 * Guarded by the pager's write lock.
 */
final class HeldBlocks {

    /** A held block and the transaction that freed it. */
    record Held(Block block, long freedBy) {
    }

    private final List<Held> held = new ArrayList<>();
    /** The blocks of {@link #held}, to refuse a second free of a held block. */
    private final Set<Block> blocks = new HashSet<>();
    private long pages;

    void add(Block b, long freedBy) {
        held.add(new Held(b, freedBy));
        blocks.add(b);
        pages += b.pages();
    }

    boolean contains(Block b) {
        return blocks.contains(b);
    }

    /** Pages held. */
    long pages() {
        return pages;
    }

    /** Blocks held. */
    int count() {
        return held.size();
    }

    /** Calls {@code action} with every held block, in the order they were freed. */
    void forEach(java.util.function.Consumer<Block> action) {
        for (Held h : held) {
            action.accept(h.block);
        }
    }

    /** Frees into {@code allocator} every block freed by a transaction up to {@code horizon}. */
    void reclaim(long horizon, BuddyAllocator allocator) {
        for (Iterator<Held> it = held.iterator(); it.hasNext();) {
            Held h = it.next();
            if (h.freedBy <= horizon) {
                allocator.free(h.block.page(), h.block.order());
                pages -= h.block.pages();
                blocks.remove(h.block);
                it.remove();
            }
        }
    }

    /**
     * Whether some held block waits only for the base to move past the transaction that freed it
     * (no open reader reads a state before that transaction): a checkpoint makes it reusable.
     */
    boolean waitsForBase(long baseTxn, long oldestReader) {
        for (Held h : held) {
            if (h.freedBy > baseTxn && h.freedBy <= oldestReader) {
                return true;
            }
        }
        return false;
    }

    /** Pages of the blocks freed by a transaction in {@code (after, upTo]}. */
    long pagesFreedIn(long after, long upTo) {
        long n = 0;
        for (Held h : held) {
            if (h.freedBy > after && h.freedBy <= upTo) {
                n += h.block.pages();
            }
        }
        return n;
    }
}
