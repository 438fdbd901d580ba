package org.skipstore.pagestore.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The live blocks written by unforced commits ({@code NO_SYNC}, {@code GROUP}) since the base:
 * the kernel may have written back any subset of them, so the commit record of every later
 * unforced commit lists them all with their CRC32C, and recovery trusts that commit only if each
 * still checks out ({@link Meta}, {@link UnforcedCommit}). A block leaves the list when the base
 * moves past the commit that wrote it (it is durable then) or when a commit frees it (no later
 * state uses it). Guarded by the pager's write lock.
 */
final class SinceBase {

    /** A block's CRC32C as written, and the commit that wrote it. */
    record Written(int crc, long txn) {
    }

    private final LinkedHashMap<Block, Written> blocks = new LinkedHashMap<>();
    private long pages;

    void add(Block b, int crc, long txn) {
        if (blocks.put(b, new Written(crc, txn)) == null) {
            pages += b.pages();
        }
    }

    /** A commit freed {@code b}: no later state uses it. */
    void remove(Block b) {
        if (blocks.remove(b) != null) {
            pages -= b.pages();
        }
    }

    /** The base moved to {@code txn}: what commits up to it wrote is durable. */
    void durableUpTo(long txn) {
        for (Iterator<Map.Entry<Block, Written>> it = blocks.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Block, Written> e = it.next();
            if (e.getValue().txn <= txn) {
                pages -= e.getKey().pages();
                it.remove();
            }
        }
    }

    void forEach(BiConsumer<Block, Written> action) {
        blocks.forEach(action);
    }

    int count() {
        return blocks.size();
    }

    long pages() {
        return pages;
    }
}
