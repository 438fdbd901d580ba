package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.ConcurrentSkipList.GetOrInsert;

/**
 * Proves that {@code getOrInsert} is atomic: of two racing calls on one absent key with different
 * values, exactly one inserts, and both return the same entry, the inserted one, which is also
 * what the list holds afterwards.
 *
 * <p>Actor 1 calls {@code getOrInsert(k, 1)} (byte[] overload), actor 2 {@code getOrInsert(k, 2)}
 * (MemorySegment overload). Fields: each actor's result and the value of the entry it got,
 * as {@code RESULT_value}, then the arbiter's {@code get} of the key.
 */
@JCStressTest
@Outcome(id = "INSERTED_1, DUPLICATE_KEY_1, 1", expect = ACCEPTABLE, desc = "Actor 1 inserted; actor 2 got its entry.")
@Outcome(id = "DUPLICATE_KEY_2, INSERTED_2, 2", expect = ACCEPTABLE, desc = "Actor 2 inserted; actor 1 got its entry.")
@Outcome(id = "INSERTED_.*, INSERTED_.*, .*", expect = FORBIDDEN, desc = "Both inserted.")
@Outcome(id = "DUPLICATE_KEY_.*, DUPLICATE_KEY_.*, .*", expect = FORBIDDEN, desc = "Neither inserted.")
@Outcome(expect = FORBIDDEN,
        desc = "The two calls returned different values, the list holds another one, or a call threw.")
@State
public class GetOrInsertRaceTest {

    static final byte[] KEY = Memtables.bytes("k");

    final ConcurrentSkipList list = Memtables.newList();

    @Actor
    public void actor1(LLL_Result r) {
        try {
            r.r1 = describe(list.getOrInsert(KEY, Memtables.bytes("1")));
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void actor2(LLL_Result r) {
        try {
            r.r2 = describe(list.getOrInsert(MemorySegment.ofArray(KEY), MemorySegment.ofArray(Memtables.bytes("2"))));
        } catch (Throwable t) {
            r.r2 = Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = Memtables.verdict(list, () -> Memtables.valueOf(list.get(KEY)));
    }

    static String describe(GetOrInsert g) {
        if (g.entry() != null && !Memtables.text(g.entry().key()).equals("k")) {
            return g.result().name() + "_WRONG_KEY";
        }
        return g.result().name() + "_" + Memtables.valueOf(g.entry());
    }
}
