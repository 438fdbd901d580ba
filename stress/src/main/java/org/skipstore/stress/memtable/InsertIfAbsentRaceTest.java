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
 * Proves that insert-if-absent of one key by two threads at once lets exactly one of them in:
 * one gets {@link InsertResult#INSERTED}, the other {@link InsertResult#DUPLICATE_KEY}, and
 * afterwards the list holds exactly the winner's value, as its only version.
 *
 * <p>Both actors call {@code tryInsert} on the same (empty) list and key with different values,
 * {@code 1} and {@code 2}. Fields: actor 1's result, actor 2's result, and the arbiter's
 * {@code get} of the key ({@code -} when absent; the value otherwise, suffixed with
 * {@code +versions} when the list counts more than one version).
 */
@JCStressTest
@Outcome(id = "INSERTED, DUPLICATE_KEY, 1", expect = ACCEPTABLE, desc = "Actor 1 won; its value is there.")
@Outcome(id = "DUPLICATE_KEY, INSERTED, 2", expect = ACCEPTABLE, desc = "Actor 2 won; its value is there.")
@Outcome(id = "INSERTED, INSERTED, .*", expect = FORBIDDEN, desc = "Both inserted: the key got two live versions.")
@Outcome(id = "DUPLICATE_KEY, DUPLICATE_KEY, .*", expect = FORBIDDEN, desc = "Neither inserted.")
@Outcome(expect = FORBIDDEN,
        desc = "The arbiter sees the loser's value, no value or extra versions, or a call failed or threw.")
@State
public class InsertIfAbsentRaceTest {

    static final byte[] KEY = Memtables.bytes("k");

    final ConcurrentSkipList list = Memtables.newList();

    @Actor
    public void actor1(LLL_Result r) {
        r.r1 = insert(Memtables.bytes("1"));
    }

    @Actor
    public void actor2(LLL_Result r) {
        r.r2 = insert(Memtables.bytes("2"));
    }

    private String insert(byte[] value) {
        try {
            return list.tryInsert(KEY, value).name();
        } catch (Throwable t) {
            return Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = Memtables.verdict(list, () -> {
            long versions = list.versionCount();
            return Memtables.valueOf(list.get(KEY)) + (versions == 1 ? "" : "+" + versions);
        });
    }
}
