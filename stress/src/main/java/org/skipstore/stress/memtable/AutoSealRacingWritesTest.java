package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.InsertResult;

/**
 * Proves that a list that seals itself when full puts every racing write in exactly one list:
 * the frozen one (the write reported INSERTED there) or its successor (it reported SEALED and was
 * written again there), never both, never neither, and that the list seals once.
 *
 * <p>The list holds one entry of two allowed ({@code maxEntries(2)}). Actors 1 and 2 each put a
 * key of their own, and on SEALED put it into {@code successor()}. Fields: where each actor's
 * write went ({@code FROZEN} or {@code NEXT}), and the arbiter's count, after the seal drained,
 * of the lists each key is in ({@code ONCE} when both are in exactly one, and the frozen list
 * holds exactly the writes that reported INSERTED there).
 */
@JCStressTest
@Outcome(id = {"FROZEN, NEXT, ONCE", "NEXT, FROZEN, ONCE"}, expect = ACCEPTABLE,
        desc = "One write filled the list; the other sealed it and went to the successor.")
@Outcome(id = "NEXT, NEXT, ONCE", expect = ACCEPTABLE,
        desc = "Impossible by counting (one write fits), but not a loss: kept apart to be noticed.")
@Outcome(id = ".*, .*, (LOST|TWICE).*", expect = FORBIDDEN, desc = "A write is in no list, or in both.")
@Outcome(expect = FORBIDDEN, desc = "Both writes fitted, a seal happened twice, or a call threw.")
@State
public class AutoSealRacingWritesTest {

    static final byte[] K1 = Memtables.bytes("k1");
    static final byte[] K2 = Memtables.bytes("k2");

    final ConcurrentSkipList list = ConcurrentSkipList.builder().shards(1).initialArenaBytesPerShard(1024)
            .maxEntries(2).build();

    {
        list.put(Memtables.bytes("k0"), Memtables.bytes("v"));
    }

    @Actor
    public void actor1(LLL_Result r) {
        r.r1 = write(K1);
    }

    @Actor
    public void actor2(LLL_Result r) {
        r.r2 = write(K2);
    }

    private String write(byte[] key) {
        try {
            InsertResult first = list.put(key, Memtables.bytes("v"));
            if (first == InsertResult.INSERTED) {
                return "FROZEN";
            }
            ConcurrentSkipList next = list.successor();
            if (first == InsertResult.SEALED && !list.isSealed()) {
                return "SEALED_BUT_OPEN"; // a later write could still go in
            }
            return first == InsertResult.SEALED && next != null && next.put(key, Memtables.bytes("v")) == InsertResult.INSERTED
                    ? "NEXT" : "REFUSED_" + first;
        } catch (Throwable t) {
            return Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        ConcurrentSkipList next = list.successor();
        try {
            if (!list.isSealed() || next == null || list.whenSealed().join().fresh() != next) {
                r.r3 = "NOT_SEALED_ONCE";
                return;
            }
            r.r3 = where(K1, r.r1, next) + where(K2, r.r2, next);
            if ("".equals(r.r3)) {
                r.r3 = "ONCE";
            }
        } catch (Throwable t) {
            r.r3 = "ARBITER_" + Memtables.name(t);
        } finally {
            String failure = Memtables.close(list);
            String failure2 = Memtables.close(next);
            if (failure != null || failure2 != null) {
                r.r3 = failure != null ? failure : failure2;
            }
        }
    }

    /** "" when the key is in exactly the list its writer reported, else what is wrong. */
    private String where(byte[] key, Object reported, ConcurrentSkipList next) {
        boolean frozen = list.get(key) != null;
        boolean fresh = next.get(key) != null;
        if (frozen && fresh) {
            return "TWICE";
        }
        if (!frozen && !fresh) {
            return "LOST";
        }
        return frozen == "FROZEN".equals(reported) ? "" : "MISPLACED";
    }
}
