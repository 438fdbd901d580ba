package org.skipstore.core;

/**
 * Thrown by writes that return no {@link InsertResult} (such as {@link ConcurrentSkipList#delete})
 * when the memtable could not record them: it is full ({@link #result()} is
 * {@link InsertResult#OUT_OF_MEMORY}) or sealed ({@link InsertResult#SEALED}). Nothing was
 * written; seal and retry on the fresh memtable.
 */
public final class MemtableFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient InsertResult result;

    public MemtableFullException(InsertResult result) {
        super(result == InsertResult.SEALED ? "the memtable is sealed: write to the fresh one"
                : "the memtable reached its memory or entry limit: seal it and write to the fresh one");
        this.result = result;
    }

    /** {@link InsertResult#OUT_OF_MEMORY} or {@link InsertResult#SEALED}. */
    public InsertResult result() {
        return result;
    }
}
