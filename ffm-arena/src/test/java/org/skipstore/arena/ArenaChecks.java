package org.skipstore.arena;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Shared assertions of the arena tests. */
final class ArenaChecks {
    private ArenaChecks() {
    }

    /**
     * Asserts that no two blocks overlap and that each lies inside its chunk.
     *
     * @param blocks pairs {ref, size}
     */
    static void assertDisjoint(ShardedArena arena, List<long[]> blocks) {
        List<long[]> spans = new ArrayList<>(blocks.size()); // start address, end address, ref
        for (long[] b : blocks) {
            long offset = ShardedArena.offset(b[0]);
            assertThat(offset + b[1]).as("block 0x%x inside its chunk", b[0])
                    .isLessThanOrEqualTo(arena.chunk(b[0]).byteSize());
            long start = arena.chunk(b[0]).address() + offset;
            spans.add(new long[] {start, start + b[1], b[0]});
        }
        spans.sort(Comparator.comparingLong(s -> s[0]));
        long maxEnd = Long.MIN_VALUE;
        long maxRef = 0;
        for (long[] s : spans) {
            if (s[1] == s[0]) {
                continue; // an empty block overlaps nothing
            }
            assertThat(s[0]).as("block 0x%x overlaps block 0x%x", s[2], maxRef).isGreaterThanOrEqualTo(maxEnd);
            if (s[1] > maxEnd) {
                maxEnd = s[1];
                maxRef = s[2];
            }
        }
    }
}
