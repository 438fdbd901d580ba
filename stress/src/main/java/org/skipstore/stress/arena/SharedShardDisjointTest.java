package org.skipstore.stress.arena;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.arena.ShardedArena;

/**
 * Proves that two threads allocating from ONE shared shard never get overlapping blocks, even
 * while one of them refills the shard with a new chunk.
 *
 * <p>The arena has a single shard whose chunks are 64 bytes, and each actor allocates two 24-byte
 * blocks (8-byte aligned) and fills each with its own tag byte. A chunk holds two such blocks, so
 * the four allocations always need two chunks: the first allocation of both threads races into
 * the refill of the empty shard, and a later one refills while the other thread may be on the
 * lock-free fast path (reading {@code top} and {@code limit} as the refill republishes them). The
 * arbiter checks that the four address ranges are pairwise disjoint (blocks in the same chunk:
 * disjoint offset ranges) and that every block still holds its writer's tag.
 *
 * <p>The second result field is the order in which the bump pointer handed the blocks out
 * (blocks sorted by reference: A = first actor, B = second actor); an interleaved order shows
 * that the two threads really raced on the shard.
 */
@JCStressTest
@Outcome(id = {"OK, AABB", "OK, BBAA"}, expect = ACCEPTABLE,
        desc = "Disjoint and intact; one thread allocated both its blocks before the other.")
@Outcome(id = {"OK, ABAB", "OK, ABBA", "OK, BAAB", "OK, BABA"}, expect = ACCEPTABLE_INTERESTING,
        desc = "Disjoint and intact although the threads' allocations interleaved on the shard.")
@Outcome(id = "OVERLAP, .*", expect = FORBIDDEN, desc = "Two blocks share bytes.")
@Outcome(id = "TORN, .*", expect = FORBIDDEN, desc = "A block no longer holds its writer's tag.")
@Outcome(id = "NULL, .*", expect = FORBIDDEN, desc = "allocate returned NULL although no memory limit is set.")
@Outcome(expect = FORBIDDEN,
        desc = "An actor threw (e.g. IndexOutOfBoundsException: a block crossed its chunk's end).")
@State
public class SharedShardDisjointTest {

    static final long SIZE = 24;
    static final byte A1 = 0x11, A2 = 0x12, B1 = 0x21, B2 = 0x22;

    final ShardedArena arena = ShardedArena.builder()
            .shards(1).initialChunkBytes(64).maxChunkBytes(64).build();

    long a1, a2, b1, b2;
    String failA, failB;

    @Actor
    public void actorA() {
        try {
            a1 = arena.allocate(SIZE);
            if (a1 == ShardedArena.NULL) {
                failA = "NULL";
                return;
            }
            Blocks.fill(arena, a1, SIZE, A1);
            a2 = arena.allocate(SIZE);
            if (a2 == ShardedArena.NULL) {
                failA = "NULL";
                return;
            }
            Blocks.fill(arena, a2, SIZE, A2);
        } catch (Throwable t) {
            failA = Blocks.name(t);
        }
    }

    @Actor
    public void actorB() {
        try {
            b1 = arena.allocate(SIZE);
            if (b1 == ShardedArena.NULL) {
                failB = "NULL";
                return;
            }
            Blocks.fill(arena, b1, SIZE, B1);
            b2 = arena.allocate(SIZE);
            if (b2 == ShardedArena.NULL) {
                failB = "NULL";
                return;
            }
            Blocks.fill(arena, b2, SIZE, B2);
        } catch (Throwable t) {
            failB = Blocks.name(t);
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        try {
            r.r1 = verdict();
            r.r2 = r.r1.equals("OK") ? order() : "-";
        } catch (Throwable t) {
            r.r1 = Blocks.name(t);
            r.r2 = "-";
        } finally {
            arena.close(); // every state owns an arena: free it, or millions of them pile up
        }
    }

    private String verdict() {
        if (failA != null) {
            return failA;
        }
        if (failB != null) {
            return failB;
        }
        long[] refs = {a1, a2, b1, b2};
        long[] addresses = new long[refs.length];
        for (int i = 0; i < refs.length; i++) {
            addresses[i] = Blocks.address(arena, refs[i]);
        }
        for (int i = 0; i < refs.length; i++) {
            for (int j = i + 1; j < refs.length; j++) {
                if (Blocks.overlap(addresses[i], SIZE, addresses[j], SIZE)) {
                    return "OVERLAP";
                }
            }
        }
        boolean intact = Blocks.holds(arena, a1, SIZE, A1) && Blocks.holds(arena, a2, SIZE, A2)
                && Blocks.holds(arena, b1, SIZE, B1) && Blocks.holds(arena, b2, SIZE, B2);
        return intact ? "OK" : "TORN";
    }

    /** The owners of the blocks in reference order (chunk ids and offsets grow with time). */
    private String order() {
        long[] refs = {a1, a2, b1, b2};
        char[] owners = {'A', 'A', 'B', 'B'};
        for (int i = 1; i < refs.length; i++) { // insertion sort of four
            for (int j = i; j > 0 && refs[j - 1] > refs[j]; j--) {
                long ref = refs[j];
                refs[j] = refs[j - 1];
                refs[j - 1] = ref;
                char owner = owners[j];
                owners[j] = owners[j - 1];
                owners[j - 1] = owner;
            }
        }
        return new String(owners);
    }
}
