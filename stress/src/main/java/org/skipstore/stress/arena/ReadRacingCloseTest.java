package org.skipstore.stress.arena;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.arena.ShardedArena;

/**
 * Proves that a read racing {@link ShardedArena#close()} sees the value written before the race
 * or fails with {@link IllegalStateException}: it never sees another value (freed or reused
 * memory) and never fails in another way.
 *
 * <p>The state allocates a block and writes a long into it before the actors start. Actor 1
 * reads the long twice through {@code chunk(ref)}/{@code offset(ref)}, the zero-garbage path,
 * so the close can also land between the two reads; actor 2 closes the arena. The arbiter checks
 * that a read after the close throws {@link IllegalStateException} too.
 */
@JCStressTest
@Outcome(id = "VALUE_VALUE, CLOSED_CLEANLY", expect = ACCEPTABLE, desc = "Both reads completed before the close.")
@Outcome(id = "VALUE_ISE, CLOSED_CLEANLY", expect = ACCEPTABLE,
        desc = "The close landed between the reads: the second failed cleanly.")
@Outcome(id = "ISE, CLOSED_CLEANLY", expect = ACCEPTABLE, desc = "The close came first: the read failed cleanly.")
@Outcome(id = ".*WRONG.*", expect = FORBIDDEN, desc = "A read saw another value than the one written.")
@Outcome(id = ".*, READ_AFTER_CLOSE", expect = FORBIDDEN, desc = "The block was readable after the close.")
@Outcome(expect = FORBIDDEN, desc = "Another exception (from the read or close itself).")
@State
public class ReadRacingCloseTest {

    static final long VALUE = 0x0DDB_A11C_AFE5_7A7EL;

    final ShardedArena arena = ShardedArena.builder()
            .shards(1).initialChunkBytes(64).maxChunkBytes(64).build();
    final long ref;
    String closeFailure;

    public ReadRacingCloseTest() {
        ref = arena.allocate(Long.BYTES);
        arena.chunk(ref).set(ValueLayout.JAVA_LONG, ShardedArena.offset(ref), VALUE);
    }

    @Actor
    public void reader(LL_Result r) {
        String first = read();
        r.r1 = first.equals("VALUE") ? first + "_" + read() : first;
    }

    private String read() {
        try {
            long v = arena.chunk(ref).get(ValueLayout.JAVA_LONG, ShardedArena.offset(ref));
            return v == VALUE ? "VALUE" : "WRONG";
        } catch (IllegalStateException e) {
            return "ISE";
        } catch (Throwable t) {
            return Blocks.name(t);
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
        r.r2 = switch (read()) {
            case "ISE" -> "CLOSED_CLEANLY";
            case "VALUE" -> "READ_AFTER_CLOSE";
            case "WRONG" -> "WRONG_AFTER_CLOSE";
            case String other -> "READ_AFTER_CLOSE_" + other;
        };
    }
}
