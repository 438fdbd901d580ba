package org.skipstore.pagestore.internal;

import org.skipstore.pagestore.Recovery;

/** Counters and sizes of the page layer; consistent when no transaction is open. */
public record PagerStats(long fileBytes, long pageCount, long pagesInUse, long freePages, long heldPages,
        int[] freeBlocksPerOrder, long commits, long checkpoints, long lastTxn, long baseTxn, int readers,
        Recovery recovery) {
    /**
     * Free pages inside the file: the allocator's less those past the file's end (free pages of
     * the last chunk never written, which take no room on disk).
     */
    public long freePagesInFile(int pageSize) {
        return Math.max(0, freePages - Math.max(0, pageCount - fileBytes / pageSize));
    }

    @Override
    public String toString() {
        return "PagerStats[file=" + fileBytes + " B, pages=" + pageCount + ", inUse=" + pagesInUse + ", free=" + freePages
                + ", held=" + heldPages + ", freeBlocksPerOrder=" + java.util.Arrays.toString(freeBlocksPerOrder)
                + ", commits=" + commits + ", checkpoints=" + checkpoints + ", lastTxn=" + lastTxn + ", baseTxn="
                + baseTxn + ", readers=" + readers + (recovery == null ? "" : ", recovery=" + recovery) + "]";
    }
}
