package org.skipstore.pagestore.internal.bskip;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Native memory a {@link TreeWriter} works in, kept by the store and reused by its write
 * transactions, one at a time (the store's write lock orders them): the finger's two bound keys,
 * and the stage of the batched merge ({@link SortedMerge}), allocated at the first merge and
 * grown by doubling. A transaction of a single put would otherwise pay for zeroing both.
 */
public final class WriterScratch {

    /** The stage's first size: a level-0 partition averages a few KiB. */
    private static final long FIRST_STAGE = 16 << 10;

    private final int pageSize;
    private final MemorySegment bounds;
    private MemorySegment stage;

    public WriterScratch(int pageSize) {
        this.pageSize = pageSize;
        this.bounds = Arena.ofAuto().allocate(2L * Tree.maxKeyBytes(pageSize)); // native, as every key the writer reads
    }

    int pageSize() {
        return pageSize;
    }

    /** The low bound's room, then the high bound's, each {@link Tree#maxKeyBytes} long. */
    MemorySegment bounds() {
        return bounds;
    }

    /** A stage of at least {@code bytes} bytes; its content is undefined. */
    MemorySegment stage(long bytes) {
        if (stage == null || stage.byteSize() < bytes) {
            long size = Math.max(FIRST_STAGE, stage == null ? 0 : 2 * stage.byteSize());
            while (size < bytes) {
                size *= 2;
            }
            stage = Arena.ofAuto().allocate(size, 8);
        }
        return stage;
    }
}
