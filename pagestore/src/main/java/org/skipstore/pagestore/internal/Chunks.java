package org.skipstore.pagestore.internal;

import java.lang.foreign.MemorySegment;

/**
 * How a page file is cut into mapped chunks, and which page counts a file may have.
 *
 * <pre>
 *  chunk    0      1      2        3                 4 ...            K        K+1
 *  pages  [0,16) [16,32) [32,64) [64,128)  ...  [M/2, M)  ...  [M, 2M)   [2M, 3M) ...
 *  size     16     16     32       64                        M = MAX_CHUNK_PAGES, then M each
 * </pre>
 *
 * Chunk sizes double from {@link #MIN_PAGES} until {@link #MAX_CHUNK_PAGES}, then stay there, and
 * every chunk starts at a multiple of its own size. So a block of {@code 2^n} pages that starts at
 * a multiple of {@code 2^n} lies inside one chunk, and one segment covers it, with one exception:
 * a block at page 0 larger than 16 pages spans chunks 0 and 1 (and more). The buddy allocator
 * never makes one: it merges buddies only inside a chunk, and refuses to free a block that spans
 * two. A file's page count is always the end of a chunk: {@link #isCapacity}.
 */
public final class Chunks {

    /** Pages of chunk 0 (and of chunk 1). */
    public static final long MIN_PAGES = 16;
    /**
     * Largest chunk, in pages, and so the largest block: 2^14 pages, 64 MiB of 4-KiB pages. A
     * chunk is mapped whole but the file holds only the pages written ({@link MappedPageFile#grow}),
     * so a larger chunk would cost address space, not disk (when the file grew by whole chunks,
     * 2^18 made a 277 MB store a 512 MB file); it is the largest value's bound too.
     */
    public static final long MAX_CHUNK_PAGES = 1L << 14;
    /** Largest block order: {@code log2(MAX_CHUNK_PAGES)}. */
    public static final int MAX_ORDER = 14;
    /** Chunks of the doubling part: 0 and 1 hold MIN_PAGES each, chunk k in 2..K doubles. */
    private static final int DOUBLING = 1 + Long.numberOfTrailingZeros(MAX_CHUNK_PAGES / MIN_PAGES);

    private Chunks() {
    }

    /** The first page of chunk {@code k}. */
    public static long start(int k) {
        if (k == 0) {
            return 0;
        }
        if (k <= DOUBLING) {
            return MIN_PAGES << (k - 1);
        }
        return MAX_CHUNK_PAGES + (long) (k - DOUBLING) * MAX_CHUNK_PAGES;
    }

    /** Pages of chunk {@code k}. */
    public static long size(int k) {
        return start(k + 1) - start(k);
    }

    /** The chunk that holds {@code page}. */
    public static int chunkOf(long page) {
        if (page < MIN_PAGES) {
            return 0;
        }
        if (page < MAX_CHUNK_PAGES) {
            return 64 - Long.numberOfLeadingZeros(page / MIN_PAGES);
        }
        return DOUBLING + (int) ((page - MAX_CHUNK_PAGES) / MAX_CHUNK_PAGES);
    }

    /** Whether a file may have {@code pages} pages: the end of a chunk. */
    public static boolean isCapacity(long pages) {
        return pages >= MIN_PAGES && start(chunkOf(pages - 1) + 1) == pages;
    }

    /** The capacity after {@code pages} (a capacity): one more chunk. */
    public static long next(long pages) {
        return start(chunkOf(pages - 1) + 2);
    }

    /**
     * Pages {@code [page, page + count)} as one slice of the chunk segment that holds them
     * ({@code chunks[k]} maps chunk {@code k}; pages are {@code 1 << pageShift} bytes).
     *
     * @throws IndexOutOfBoundsException when the range passes {@code pageCount} or its chunk
     */
    public static MemorySegment slice(MemorySegment[] chunks, long pageCount, int pageShift, long page, long count) {
        if (page < 0 || count < 0 || page + count > pageCount) {
            throw new IndexOutOfBoundsException("pages [" + page + ", " + (page + count) + ") of a file of " + pageCount);
        }
        int k = chunkOf(page);
        return chunks[k].asSlice((page - start(k)) << pageShift, count << pageShift);
    }

    /** Number of chunks of a file of {@code pages} pages (a capacity). */
    public static int count(long pages) {
        return chunkOf(pages - 1) + 1;
    }
}
