package org.skipstore.stress.arena;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;
import org.skipstore.arena.ShardedArena;

/**
 * Proves that blocks allocated concurrently on a two-shard arena, with mixed sizes and
 * alignments, are each aligned as asked and pairwise disjoint.
 *
 * <p>The two actors are bound round robin to the two shards, so each allocates in its own shard,
 * but both shards take their chunks from the one chunk table at the same moment: every
 * allocation below needs a new chunk (initial chunk 64 bytes, then 128), so four chunk creations
 * race on the table's registry and memory limit bookkeeping. Sizes are odd and even, alignments
 * go from 1 to the largest one ({@link ShardedArena#MAX_ALIGNMENT}, 4096): the address
 * {@code chunk(ref).address() + offset(ref)} must be a multiple of the alignment asked for, the
 * four address ranges must not share a byte, and every block must still hold its writer's tag.
 */
@JCStressTest
@Outcome(id = "OK", expect = ACCEPTABLE, desc = "Every block aligned as asked, disjoint from the others and intact.")
@Outcome(id = "MISALIGNED", expect = FORBIDDEN, desc = "A block's address is not a multiple of its alignment.")
@Outcome(id = "OVERLAP", expect = FORBIDDEN, desc = "Two blocks share bytes.")
@Outcome(id = "TORN", expect = FORBIDDEN, desc = "A block no longer holds its writer's tag.")
@Outcome(id = "NULL", expect = FORBIDDEN, desc = "allocate returned NULL although no memory limit is set.")
@Outcome(expect = FORBIDDEN,
        desc = "An actor threw (e.g. IndexOutOfBoundsException: a block crossed its chunk's end).")
@State
public class TwoShardsAlignedDisjointTest {

    // Block i: SIZES[i] bytes aligned to ALIGNS[i], tagged TAGS[i]; actor 1 makes blocks 0 and 1,
    // actor 2 makes blocks 2 and 3.
    static final long[] SIZES = {13, 40, 24, 7};
    static final long[] ALIGNS = {1, 64, 16, ShardedArena.MAX_ALIGNMENT};
    static final byte[] TAGS = {0x11, 0x12, 0x21, 0x22};

    final ShardedArena arena = ShardedArena.builder()
            .shards(2).initialChunkBytes(64).maxChunkBytes(128).build();

    final long[] refs = new long[4];
    String fail1, fail2;

    @Actor
    public void actor1() {
        fail1 = allocateAndFill(0, 1);
    }

    @Actor
    public void actor2() {
        fail2 = allocateAndFill(2, 3);
    }

    /** Allocates and fills blocks {@code first..last}; returns null, or what went wrong. */
    private String allocateAndFill(int first, int last) {
        try {
            for (int i = first; i <= last; i++) {
                long ref = arena.allocate(SIZES[i], ALIGNS[i]);
                if (ref == ShardedArena.NULL) {
                    return "NULL";
                }
                refs[i] = ref;
                Blocks.fill(arena, ref, SIZES[i], TAGS[i]);
            }
            return null;
        } catch (Throwable t) {
            return Blocks.name(t);
        }
    }

    @Arbiter
    public void arbiter(L_Result r) {
        try {
            r.r1 = verdict();
        } catch (Throwable t) {
            r.r1 = Blocks.name(t);
        } finally {
            arena.close();
        }
    }

    private String verdict() {
        if (fail1 != null) {
            return fail1;
        }
        if (fail2 != null) {
            return fail2;
        }
        long[] addresses = new long[refs.length];
        for (int i = 0; i < refs.length; i++) {
            addresses[i] = Blocks.address(arena, refs[i]);
            if (addresses[i] % ALIGNS[i] != 0) {
                return "MISALIGNED";
            }
        }
        for (int i = 0; i < refs.length; i++) {
            for (int j = i + 1; j < refs.length; j++) {
                if (Blocks.overlap(addresses[i], SIZES[i], addresses[j], SIZES[j])) {
                    return "OVERLAP";
                }
            }
        }
        for (int i = 0; i < refs.length; i++) {
            if (!Blocks.holds(arena, refs[i], SIZES[i], TAGS[i])) {
                return "TORN";
            }
        }
        return "OK";
    }
}
