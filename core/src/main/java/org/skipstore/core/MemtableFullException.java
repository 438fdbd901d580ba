package org.skipstore.core;

/**
 * Thrown by writes that return no {@link InsertResult} (such as {@link ConcurrentSkipList#delete})
 * when the memtable could not record them: it is full ({@link #result()} is
 * {@link InsertResult#OUT_OF_MEMORY}, {@link #problem()} {@link Problem#MEMTABLE_FULL}) or sealed
 * ({@link InsertResult#SEALED}, {@link Problem#SEALED}). Nothing was written; seal and retry on
 * the fresh memtable.
 */
public final class MemtableFullException extends SkipstoreException {
    private static final long serialVersionUID = 1L;

    private final transient InsertResult result;

    public MemtableFullException(InsertResult result) {
        super(result == InsertResult.SEALED ? Problem.SEALED : Problem.MEMTABLE_FULL,
                result == InsertResult.SEALED ? "the memtable is sealed: write to the fresh one"
                : "the memtable reached its memory or entry limit: seal it and write to the fresh one");
        this.result = result;
    }

    /** {@link InsertResult#OUT_OF_MEMORY} or {@link InsertResult#SEALED}. */
    public InsertResult result() {
        return result;
    }
}
