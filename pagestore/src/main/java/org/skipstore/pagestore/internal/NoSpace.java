package org.skipstore.pagestore.internal;

import org.skipstore.core.SkipstoreException.Problem;

/**
 * The store's size limit is reached ({@link Space#allocate}): the {@link Problem#NO_SPACE} error
 * that says where the space is and what to do.
 */
final class NoSpace {

    private NoSpace() {
    }

    /**
     * The error for an allocation of order {@code n} that does not fit: {@code limit} says which
     * limit (the maximum size, the largest file); {@code oldestReader} is the state the oldest open
     * reader reads ({@code Long.MAX_VALUE}: none).
     */
    static StoreFailure error(String limit, BuddyAllocator allocator, int n, HeldBlocks held, long baseTxn,
            long oldestReader, int pageSize) {
        int largest = -1;
        for (int k = Chunks.MAX_ORDER; k >= 0 && largest < 0; k--) {
            if (allocator.freeBlocks(k) > 0) {
                largest = k;
            }
        }
        long forReaders = held.pagesFreedIn(oldestReader, Long.MAX_VALUE);
        long forRecovery = held.pagesFreedIn(baseTxn, oldestReader);
        StringBuilder m = new StringBuilder(limit).append(": ").append(allocator.freePages()).append(" of ")
                .append(allocator.capacity()).append(" pages (").append(pageSize).append(" bytes each) are free");
        if (largest >= 0) {
            m.append(", in blocks of at most ").append(1L << largest).append(" pages");
        }
        m.append(", and this needs a block of ").append(1L << n).append("; ").append(forReaders)
                .append(" pages are held for open read transactions");
        if (forReaders > 0) {
            m.append(" (the oldest reads commit ").append(oldestReader).append(": close it to free them)");
        }
        if (forRecovery > 0) { // a group force runs: they are reusable once it returns
            m.append(", ").append(forRecovery).append(" until the group commit's force in progress returns");
        }
        m.append(". The transaction can only be aborted (nothing committed is lost). To make room: delete data")
                .append(" (its space is reusable once no open read transaction reads a commit before the delete),")
                .append(" close long-running read transactions, or reopen the store with a larger maxSize")
                .append(" (when that is the limit)");
        return new StoreFailure(Problem.NO_SPACE, m.toString());
    }
}
