package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * How a page file is cut into chunks ({@link Chunks}): sizes doubling then fixed, each chunk aligned
 * to its size, which page counts are capacities, and slices that stay inside one chunk's segment.
 */
class ChunksTest {

    private static final long M = Chunks.MAX_CHUNK_PAGES;
    /** Chunks checked page by page: the doubling ones and five of the largest size. */
    private static final int CHUNKS = 16;
    /** The last chunk that ends within int page numbers, so the last a file can have. */
    private static final int LAST = lastChunk();

    private static int lastChunk() {
        int k = 0;
        while (Chunks.start(k + 2) <= Integer.MAX_VALUE && k < 1 << 20) { // (bounded: start may be broken)
            k++;
        }
        return k;
    }

    @Test
    void sizesDoubleFromMinPagesUpToTheLargestThenStayThere() {
        assertThat(1L << Chunks.MAX_ORDER).isEqualTo(M); // the largest block is the largest chunk
        assertThat(Long.bitCount(Chunks.MIN_PAGES)).isEqualTo(1);
        assertThat(Chunks.start(0)).isZero();
        assertThat(Chunks.size(0)).isEqualTo(Chunks.MIN_PAGES);
        assertThat(Chunks.size(1)).isEqualTo(Chunks.MIN_PAGES);
        int k = 1;
        for (; Chunks.size(k) < M && k < 64; k++) {
            assertThat(Chunks.size(k + 1)).as("chunk %d", k + 1).isEqualTo(2 * Chunks.size(k));
        }
        assertThat(Chunks.size(k)).as("chunk %d, the first of the largest", k).isEqualTo(M);
        for (int j = k; j < k + 1000; j++) {
            assertThat(Chunks.size(j)).as("chunk %d", j).isEqualTo(M);
        }
        assertThat(Chunks.size(LAST)).isEqualTo(M);
        assertThat(Chunks.start(LAST + 1)).isEqualTo((1L << 31) - M); // the int range ends inside the next one
    }

    @Test
    void eachChunkStartsAtAMultipleOfItsSize() {
        for (int k = 0; k <= LAST; k++) {
            long size = Chunks.size(k);
            assertThat(Long.bitCount(size)).as("chunk %d: %d pages, a power of two", k, size).isEqualTo(1);
            assertThat(Chunks.start(k) % size).as("chunk %d at %d", k, Chunks.start(k)).isZero();
        }
    }

    @Test
    void chunkOfNamesTheChunkThatHoldsEachPage() {
        for (int k = 0; k < CHUNKS; k++) {
            for (long p = Chunks.start(k); p < Chunks.start(k + 1); p++) {
                if (Chunks.chunkOf(p) != k) { // (no assertion object per page: a hundred thousand pages)
                    assertThat(Chunks.chunkOf(p)).as("page %d", p).isEqualTo(k);
                }
            }
        }
        for (int k : new int[] {100, 1000, 100_000, LAST}) { // the first and last page of chunks far out
            assertThat(Chunks.chunkOf(Chunks.start(k))).as("chunk %d", k).isEqualTo(k);
            assertThat(Chunks.chunkOf(Chunks.start(k + 1) - 1)).as("chunk %d", k).isEqualTo(k);
        }
    }

    @Test
    void aCapacityIsTheEndOfAChunk() {
        int k = 1;
        for (long pages = 0; pages <= Chunks.start(CHUNKS); pages++) {
            boolean end = pages == Chunks.start(k);
            if (Chunks.isCapacity(pages) != end) {
                assertThat(Chunks.isCapacity(pages)).as("%d pages", pages).isEqualTo(end);
            }
            if (end) {
                k++;
            }
        }
        for (int c = 1; c <= LAST + 1; c++) { // a file of c chunks: count and next agree with start
            long pages = Chunks.start(c);
            assertThat(Chunks.isCapacity(pages)).as("%d chunks", c).isTrue();
            assertThat(Chunks.count(pages)).as("%d chunks", c).isEqualTo(c);
            assertThat(Chunks.next(pages)).as("%d chunks", c).isEqualTo(Chunks.start(c + 1));
        }
    }

    /**
     * The class comment's promise: a block of 2^n pages at a multiple of 2^n lies inside one chunk.
     * It holds for every such block but those at page 0 larger than chunk 0 ([0, 32) spans chunks 0
     * and 1): the allocator never makes those, as it merges buddies only inside a chunk.
     */
    @Test
    void everyAlignedBlockLiesInsideOneChunkExceptLargeOnesAtPageZero() {
        long end = Chunks.start(CHUNKS);
        for (int n = 0; n <= Chunks.MAX_ORDER; n++) {
            long size = 1L << n;
            for (long page = 0; page + size <= end; page += size) {
                boolean inside = Chunks.chunkOf(page) == Chunks.chunkOf(page + size - 1);
                if (inside != (page > 0 || size <= Chunks.MIN_PAGES)) {
                    assertThat(inside).as("block %d/%d", page, n).isEqualTo(page > 0 || size <= Chunks.MIN_PAGES);
                }
            }
        }
        for (long page = Chunks.start(LAST - 3); page < Chunks.start(LAST + 1); page += M) { // near 2^31
            assertThat(Chunks.chunkOf(page + M - 1)).as("block %d/%d", page, Chunks.MAX_ORDER)
                    .isEqualTo(Chunks.chunkOf(page));
        }
    }

    @Test
    void sliceIsTheRangeInsideItsChunksSegment() {
        int shift = 3; // 8-byte pages keep the segments small
        long pageCount = Chunks.start(13);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] chunks = new MemorySegment[Chunks.count(pageCount)];
            for (int k = 0; k < chunks.length; k++) {
                chunks[k] = arena.allocate(Chunks.size(k) << shift);
            }
            for (int k = 0; k < chunks.length; k++) {
                long start = Chunks.start(k);
                long size = Chunks.size(k);
                long[][] ranges = {{0, 1}, {0, size}, {size / 2, size / 2}, {size - 1, 1}, {3, 5}, {0, 0}};
                for (long[] r : ranges) { // {first page in the chunk, pages}
                    MemorySegment s = Chunks.slice(chunks, pageCount, shift, start + r[0], r[1]);
                    assertThat(s.address()).as("chunk %d pages %d+%d", k, r[0], r[1])
                            .isEqualTo(chunks[k].address() + (r[0] << shift));
                    assertThat(s.byteSize()).as("chunk %d pages %d+%d", k, r[0], r[1]).isEqualTo(r[1] << shift);
                }
            }
            long[][] refused = {{14, 4}, {M - 1, 2}, {pageCount - 1, 2}, {pageCount, 1}, {-1, 1}, {0, -1}};
            for (long[] r : refused) { // across a chunk's end, past the file, negative
                assertThatThrownBy(() -> Chunks.slice(chunks, pageCount, shift, r[0], r[1]))
                        .as("pages %d+%d", r[0], r[1]).isInstanceOf(IndexOutOfBoundsException.class);
            }
            assertThatThrownBy(() -> Chunks.slice(chunks, 32, shift, 32, 4)) // chunk 2 is mapped, but past pageCount
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
