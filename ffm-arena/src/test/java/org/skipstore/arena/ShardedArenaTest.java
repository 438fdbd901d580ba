package org.skipstore.arena;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Single-threaded behaviour of {@link ShardedArena}: alignment, growth, limit, accounting, close, arguments. */
class ShardedArenaTest {

    static long address(ShardedArena arena, long ref) {
        return arena.chunk(ref).address() + ShardedArena.offset(ref);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096})
    void blocksAreAlignedAsAsked(long alignment) {
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(4096).build()) {
            for (int i = 0; i < 100; i++) {
                arena.allocate(1 + i % 7, 1); // misalign the bump pointer on purpose
                long ref = arena.allocate(24, alignment);
                assertThat(ref).isNotEqualTo(ShardedArena.NULL);
                assertThat(address(arena, ref) % alignment).as("address of block %d", i).isZero();
            }
        }
    }

    @Test
    void blocksAreDisjointAndKeepTheirBytes() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(256).maxChunkBytes(4096).build()) {
            List<long[]> blocks = new ArrayList<>(); // ref, size
            for (int i = 0; i < 2000; i++) {
                long size = 1 + (i * 37) % 200;
                long ref = arena.allocate(size, 1);
                arena.segment(ref, size).fill((byte) i);
                blocks.add(new long[] {ref, size});
            }
            for (int i = 0; i < blocks.size(); i++) {
                MemorySegment block = arena.segment(blocks.get(i)[0], blocks.get(i)[1]);
                for (long j = 0; j < block.byteSize(); j++) {
                    assertThat(block.get(JAVA_BYTE, j)).as("block %d byte %d", i, j).isEqualTo((byte) i);
                }
            }
            ArenaChecks.assertDisjoint(arena, blocks);
        }
    }

    @Test
    void freshBlocksAreZeroed() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).build()) {
            long ref = arena.allocate(1000);
            MemorySegment block = arena.segment(ref, 1000);
            assertThat(block.mismatch(MemorySegment.ofArray(new byte[1000]))).isEqualTo(-1L);
        }
    }

    @Test
    void zeroSizeAllocationsGiveRealReferences() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).build()) {
            long ref = arena.allocate(0);
            assertThat(ref).isNotEqualTo(ShardedArena.NULL);
            assertThat(arena.segment(ref, 0).byteSize()).isZero();
            assertThat(arena.allocatedBytes()).isZero();
        }
    }

    @Test
    void chunksDoubleUpToTheCap() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(64).maxChunkBytes(256).build()) {
            long[] expectedReserved = {64, 64 + 128, 64 + 128 + 256, 64 + 128 + 256 + 256};
            for (int chunk = 0; chunk < expectedReserved.length; chunk++) {
                // Fill the current chunk exactly: chunk sizes are 64, 128, 256, 256.
                long size = Math.min(64L << chunk, 256);
                long ref = arena.allocate(size);
                assertThat(ShardedArena.offset(ref)).isZero();
                assertThat(arena.chunk(ref).byteSize()).isEqualTo(size);
                assertThat(arena.reservedBytes()).isEqualTo(expectedReserved[chunk]);
                assertThat(arena.chunkCount()).isEqualTo(chunk + 1);
            }
            assertThat(arena.idleBytes()).isZero();
            assertThat(arena.utilization()).isEqualTo(1.0);
        }
    }

    @Test
    void aBlockLargerThanTheCapGetsItsOwnChunkAndTheCurrentChunkStays() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(1024).maxChunkBytes(1024).build()) {
            long small = arena.allocate(16);
            long big = arena.allocate(10_000);
            long next = arena.allocate(16);
            assertThat(arena.chunk(big).byteSize()).isEqualTo(10_000);
            assertThat(arena.chunk(next)).isSameAs(arena.chunk(small));
            assertThat(ShardedArena.offset(next)).isEqualTo(ShardedArena.offset(small) + 16);
            assertThat(arena.allocatedBytes()).isEqualTo(10_032);
            assertThat(arena.reservedBytes()).isEqualTo(11_024);
        }
    }

    @Test
    void theMemoryLimitGivesNullAndIsNeverExceeded() {
        long limit = 10_000;
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(1024).memoryLimit(limit).build()) {
            long allocated = 0;
            long ref;
            while ((ref = arena.allocate(100)) != ShardedArena.NULL) {
                arena.segment(ref, 100).fill((byte) 1);
                allocated += 100;
            }
            assertThat(arena.reservedBytes()).isLessThanOrEqualTo(limit);
            assertThat(arena.allocatedBytes()).isEqualTo(allocated);
            // The last chunk was shrunk to what the limit allowed, so little is left idle.
            assertThat(arena.reservedBytes()).isGreaterThan(limit - 200);
            // A refused size does not stop a smaller one that still fits in the current chunk.
            long before = arena.allocatedBytes();
            long tiny = arena.allocate(1, 1);
            assertThat(tiny == ShardedArena.NULL ? before : before + 1).isEqualTo(arena.allocatedBytes());
            assertThat(arena.allocate(limit + 1)).isEqualTo(ShardedArena.NULL);
        }
    }

    @Test
    void aLimitSmallerThanTheFirstChunkShrinksTheChunk() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).initialChunkBytes(1 << 20).memoryLimit(300).build()) {
            long ref = arena.allocate(200);
            assertThat(ref).isNotEqualTo(ShardedArena.NULL);
            assertThat(arena.chunk(ref).byteSize()).isEqualTo(300);
            assertThat(arena.allocate(200)).isEqualTo(ShardedArena.NULL);
            assertThat(arena.allocate(96)).isNotEqualTo(ShardedArena.NULL);
        }
    }

    @Test
    void accountingIsExactAndAddsUpAcrossShards() {
        long seed = System.nanoTime();
        System.out.println("accountingIsExactAndAddsUpAcrossShards seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        try (ShardedArena arena = ShardedArena.builder().shards(3).initialChunkBytes(128).maxChunkBytes(8192).build()) {
            long sum = 0;
            List<long[]> blocks = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                long size = random.nextInt(0, 3000);
                long alignment = 1L << random.nextInt(0, 13);
                long ref = arena.allocate(size, alignment);
                assertThat(address(arena, ref) % alignment).as("seed %d, allocation %d", seed, i).isZero();
                blocks.add(new long[] {ref, size});
                sum += size;
            }
            assertThat(arena.allocatedBytes()).isEqualTo(sum);
            assertThat(arena.idleBytes()).isEqualTo(arena.reservedBytes() - sum);
            assertThat(arena.utilization()).isEqualTo((double) sum / arena.reservedBytes());
            List<ShardStats> shards = arena.shardStats();
            assertThat(shards).hasSize(3);
            assertThat(shards.stream().mapToLong(ShardStats::allocatedBytes).sum()).isEqualTo(sum);
            assertThat(shards.stream().mapToLong(ShardStats::reservedBytes).sum()).isEqualTo(arena.reservedBytes());
            assertThat(shards.stream().mapToInt(ShardStats::chunks).sum()).isEqualTo(arena.chunkCount());
            ArenaChecks.assertDisjoint(arena, blocks);
        }
    }

    @Test
    void aNewArenaReservesNothing() {
        try (ShardedArena arena = ShardedArena.create()) {
            assertThat(arena.shardCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(arena.reservedBytes()).isZero();
            assertThat(arena.allocatedBytes()).isZero();
            assertThat(arena.utilization()).isZero();
            assertThat(arena.memoryLimit()).isEqualTo(Long.MAX_VALUE);
            assertThat(arena.chunkCount()).isZero();
        }
    }

    @Test
    void everyUseAfterCloseIsAnIllegalStateException() {
        ShardedArena arena = ShardedArena.builder().shards(2).build();
        long ref = arena.allocate(64);
        MemorySegment block = arena.segment(ref, 64);
        MemorySegment chunk = arena.chunk(ref);
        block.set(JAVA_LONG, 0, 7L);
        long allocated = arena.allocatedBytes();
        arena.close();

        assertThat(arena.isClosed()).isTrue();
        assertThatThrownBy(() -> arena.allocate(8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> arena.segment(ref, 8)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> block.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> chunk.get(JAVA_LONG, ShardedArena.offset(ref))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> arena.chunk(ref).get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        arena.close(); // idempotent
        assertThat(arena.allocatedBytes()).isEqualTo(allocated);
        assertThat(arena.toString()).contains("closed");
    }

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).build()) {
            assertThatThrownBy(() -> arena.allocate(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("negative");
            assertThatThrownBy(() -> arena.allocate(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exceeds");
            assertThatThrownBy(() -> arena.allocate(ShardedArena.MAX_ALLOCATION_BYTES + 1))
                    .isInstanceOf(IllegalArgumentException.class);
            for (long alignment : new long[] {0, -8, 3, 24, 8192}) {
                assertThatThrownBy(() -> arena.allocate(8, alignment)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("alignment");
            }
            assertThatThrownBy(() -> arena.chunk(ShardedArena.NULL)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a reference");
            assertThatThrownBy(() -> arena.chunk(-5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> arena.chunk(Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
            long ref = arena.allocate(16);
            assertThatThrownBy(() -> arena.segment(ref, arena.chunk(ref).byteSize() + 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThatThrownBy(() -> ShardedArena.builder().shards(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shards");
        assertThatThrownBy(() -> ShardedArena.builder().shards(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardedArena.builder().shards(ShardedArena.MAX_SHARDS + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardedArena.builder().memoryLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryLimit");
        assertThatThrownBy(() -> ShardedArena.builder().initialChunkBytes(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardedArena.builder().maxChunkBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardedArena.builder().initialChunkBytes(4096).maxChunkBytes(1024).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds maxChunkBytes");
    }
}
