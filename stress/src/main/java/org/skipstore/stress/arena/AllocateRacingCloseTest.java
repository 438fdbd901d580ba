package org.skipstore.stress.arena;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.arena.ShardedArena;

/**
 * Proves that an allocation racing {@link ShardedArena#close()} either completes before the close
 * or fails cleanly with {@link IllegalStateException}: it never returns NULL, never throws
 * anything else, and a value written into the block is never read back wrong.
 *
 * <p>Actor 1 allocates 8 bytes (the shard is empty, so this always goes through the refill path
 * that creates a chunk), writes a long through {@code chunk(ref)}/{@code offset(ref)} and reads it
 * back; actor 2 closes the arena. The first result field says where actor 1 stopped. The second
 * is the arbiter's check of the closed arena: {@code allocate} must throw
 * {@link IllegalStateException}, and so must a read of actor 1's block if it got one.
 */
@JCStressTest
@Outcome(id = "READ_BACK, CLOSED_CLEANLY", expect = ACCEPTABLE,
        desc = "Allocated, wrote and read the value back before the close.")
@Outcome(id = "ISE_AT_ALLOCATE, CLOSED_CLEANLY", expect = ACCEPTABLE,
        desc = "The close came first: allocate failed cleanly.")
@Outcome(id = {"ISE_AT_WRITE, CLOSED_CLEANLY", "ISE_AT_READ, CLOSED_CLEANLY"}, expect = ACCEPTABLE_INTERESTING,
        desc = "The allocation won but the close freed the block before the access: the access failed cleanly.")
@Outcome(id = "WRONG_VALUE, .*", expect = FORBIDDEN, desc = "The block read back another value than written.")
@Outcome(id = "NULL, .*", expect = FORBIDDEN, desc = "allocate returned NULL although no memory limit is set.")
@Outcome(id = ".*, ALLOCATE_AFTER_CLOSE", expect = FORBIDDEN, desc = "allocate succeeded on a closed arena.")
@Outcome(id = ".*, READ_AFTER_CLOSE", expect = FORBIDDEN, desc = "A block was readable after the close.")
@Outcome(expect = FORBIDDEN, desc = "Another exception (from allocate, the access or close itself).")
@State
public class AllocateRacingCloseTest {

    static final long VALUE = 0x5EED_CAFE_F00D_D00DL;

    final ShardedArena arena = ShardedArena.builder()
            .shards(1).initialChunkBytes(64).maxChunkBytes(64).build();

    long ref;
    String closeFailure;

    @Actor
    public void allocator(LL_Result r) {
        long block;
        try {
            block = arena.allocate(Long.BYTES);
        } catch (IllegalStateException e) {
            r.r1 = "ISE_AT_ALLOCATE";
            return;
        } catch (Throwable t) {
            r.r1 = "AT_ALLOCATE_" + Blocks.name(t);
            return;
        }
        if (block == ShardedArena.NULL) {
            r.r1 = "NULL";
            return;
        }
        ref = block;
        MemorySegment chunk;
        long offset = ShardedArena.offset(block);
        try {
            chunk = arena.chunk(block);
            chunk.set(ValueLayout.JAVA_LONG, offset, VALUE);
        } catch (IllegalStateException e) {
            r.r1 = "ISE_AT_WRITE";
            return;
        } catch (Throwable t) {
            r.r1 = "AT_WRITE_" + Blocks.name(t);
            return;
        }
        try {
            long read = chunk.get(ValueLayout.JAVA_LONG, offset);
            r.r1 = read == VALUE ? "READ_BACK" : "WRONG_VALUE";
        } catch (IllegalStateException e) {
            r.r1 = "ISE_AT_READ";
        } catch (Throwable t) {
            r.r1 = "AT_READ_" + Blocks.name(t);
        }
    }

    @Actor
    public void closer() {
        try {
            arena.close();
        } catch (Throwable t) {
            closeFailure = Blocks.name(t);
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        if (closeFailure != null) {
            r.r2 = "CLOSE_THREW_" + closeFailure;
            arena.close();
            return;
        }
        r.r2 = afterClose();
    }

    private String afterClose() {
        try {
            arena.allocate(Long.BYTES);
            return "ALLOCATE_AFTER_CLOSE";
        } catch (IllegalStateException expected) {
            // as specified
        } catch (Throwable t) {
            return "ALLOCATE_AFTER_CLOSE_" + Blocks.name(t);
        }
        if (ref != ShardedArena.NULL) {
            try {
                arena.chunk(ref).get(ValueLayout.JAVA_LONG, ShardedArena.offset(ref));
                return "READ_AFTER_CLOSE";
            } catch (IllegalStateException expected) {
                // as specified
            } catch (Throwable t) {
                return "READ_AFTER_CLOSE_" + Blocks.name(t);
            }
        }
        return "CLOSED_CLEANLY";
    }
}
