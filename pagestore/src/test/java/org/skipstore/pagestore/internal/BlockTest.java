package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one block-validity rule and the one ceil-log2 of the page layer ({@link Block}). */
class BlockTest {

    @Test
    void aBlockIsAlignedInsideTheFileAndInsideOneChunk() {
        long pages = 64; // chunks [0,16) [16,32) [32,64)
        assertThat(Block.isBlock(0, 4, pages)).isTrue();
        assertThat(Block.isBlock(32, 5, pages)).isTrue();
        assertThat(Block.isBlock(48, 4, pages)).isTrue();
        assertThat(Block.isBlock(63, 0, pages)).isTrue();
        assertThat(Block.isBlock(6, 1, pages)).as("aligned to 2").isTrue();
        assertThat(Block.isBlock(6, 2, pages)).as("not aligned to 4").isFalse();
        assertThat(Block.isBlock(64, 0, pages)).as("past the end").isFalse();
        assertThat(Block.isBlock(-1, 0, pages)).as("negative").isFalse();
        assertThat(Block.isBlock(0, 5, pages)).as("page 0's 32 pages cross chunks 0 and 1").isFalse();
        assertThat(Block.isBlock(0, -1, pages)).isFalse();
        assertThat(Block.isBlock(0, Chunks.MAX_ORDER + 1, 1L << 20)).isFalse();
        assertThat(Block.isStoreBlock(0, 0, pages)).as("a meta page").isFalse();
        assertThat(Block.isStoreBlock(1, 0, pages)).as("a meta page").isFalse();
        assertThat(Block.isStoreBlock(2, 1, pages)).isTrue();
    }

    @Test
    void everyAllocatableBlockPassesTheRule() {
        long capacity = Chunks.next(Chunks.next(Chunks.next(Chunks.next(16)))); // several chunks
        BuddyAllocator a = new BuddyAllocator(capacity);
        a.freeRange(2, capacity);
        for (int n = 0; n <= 4; n++) {
            long page;
            while ((page = a.allocate(n)) >= 0) {
                assertThat(Block.isStoreBlock(page, n, capacity)).as("%d/%d", page, n).isTrue();
            }
        }
    }

    @Test
    void orderForIsTheCeilingOfTheBase2Logarithm() {
        assertThat(Block.orderFor(1)).isZero();
        assertThat(Block.orderFor(2)).isEqualTo(1);
        assertThat(Block.orderFor(3)).isEqualTo(2);
        assertThat(Block.orderFor(4)).isEqualTo(2);
        assertThat(Block.orderFor(5)).isEqualTo(3);
        assertThat(Block.orderFor(Chunks.MAX_CHUNK_PAGES)).isEqualTo(Chunks.MAX_ORDER);
        assertThatThrownBy(() -> Block.orderFor(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Block.orderFor(Chunks.MAX_CHUNK_PAGES + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
