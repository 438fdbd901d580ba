package org.skipstore.arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Regions: each region of a shard bumps through chunks of its own, under the arena's one limit. */
class RegionsTest {

    @Test
    void eachRegionFillsChunksOfItsOwn() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).regions(3).initialChunkBytes(256).maxChunkBytes(1024).build()) {
            List<long[]> blocks = new ArrayList<>();
            List<Set<Integer>> chunksOf = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
            for (int i = 0; i < 3000; i++) {
                int region = i % 3;
                long size = 8 + (i * 13) % 40;
                long ref = arena.allocate(size, 8, region);
                assertThat(ref).isNotEqualTo(ShardedArena.NULL);
                chunksOf.get(region).add(ShardedArena.chunkId(ref));
                blocks.add(new long[] {ref, size});
            }
            for (int a = 0; a < 3; a++) {
                for (int b = a + 1; b < 3; b++) {
                    Set<Integer> both = new HashSet<>(chunksOf.get(a));
                    both.retainAll(chunksOf.get(b));
                    assertThat(both).as("chunks shared by regions %d and %d", a, b).isEmpty();
                }
            }
            ArenaChecks.assertDisjoint(arena, blocks);
            long sum = blocks.stream().mapToLong(b -> b[1]).sum();
            assertThat(arena.allocatedBytes()).isEqualTo(sum);
            assertThat(arena.shardStats()).singleElement().satisfies(s -> {
                assertThat(s.allocatedBytes()).isEqualTo(sum);
                assertThat(s.chunks()).isEqualTo(chunksOf.stream().mapToInt(Set::size).sum());
            });
            assertThat(arena.regionCount()).isEqualTo(3);
            assertThat(arena.shardCount()).isEqualTo(1);
        }
    }

    @Test
    void regionsShareTheMemoryLimit() {
        try (ShardedArena arena = ShardedArena.builder().shards(1).regions(2).initialChunkBytes(4096)
                .maxChunkBytes(4096).memoryLimit(8192).build()) {
            assertThat(arena.allocate(4096, 8, 0)).isNotEqualTo(ShardedArena.NULL);
            assertThat(arena.allocate(4096, 8, 1)).isNotEqualTo(ShardedArena.NULL);
            assertThat(arena.allocate(8, 8, 0)).isEqualTo(ShardedArena.NULL);
            assertThat(arena.allocate(8, 8, 1)).isEqualTo(ShardedArena.NULL);
            assertThat(arena.reservedBytes()).isEqualTo(8192);
        }
    }

    @Test
    void aRegionOutOfRangeIsRefused() {
        try (ShardedArena arena = ShardedArena.builder().regions(2).build()) {
            assertThatThrownBy(() -> arena.allocate(8, 8, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("region");
            assertThatThrownBy(() -> arena.allocate(8, 8, -1)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ShardedArena.builder().regions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShardedArena.builder().regions(ShardedArena.MAX_REGIONS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
