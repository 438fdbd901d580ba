package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;

/**
 * Proves the seal protocol's promise for a write racing {@code seal()}: the write is in the frozen
 * list or it reports {@code SEALED}, never both and never neither. A write whose sequence came
 * before the seal bit is finished by the time {@code seal()} returns, so the flush (an iteration
 * of the frozen list) has it; a write that saw the bit linked nothing.
 *
 * <p>Actor 1 calls {@code tryInsert(k, v)} on an empty list; actor 2 calls {@code seal()} and
 * keeps the fresh list to close it. The arbiter iterates the frozen list as a flush would. Fields:
 * the insert's result, and what the flush found: {@code PRESENT} (exactly the entry {@code k=v}),
 * {@code ABSENT} (no entry at all) or what else it found.
 */
@JCStressTest
@Outcome(id = "INSERTED, PRESENT", expect = ACCEPTABLE, desc = "The insert came before the seal and is flushed.")
@Outcome(id = "SEALED, ABSENT", expect = ACCEPTABLE, desc = "The insert came after the seal and wrote nothing.")
@Outcome(id = "INSERTED, ABSENT", expect = FORBIDDEN, desc = "Reported inserted but lost by the flush.")
@Outcome(id = "SEALED, PRESENT", expect = FORBIDDEN, desc = "Reported sealed but flushed anyway.")
@Outcome(expect = FORBIDDEN,
        desc = "Another insert result, a wrong flush content, or a call (seal included) threw.")
@State
public class InsertRacingSealTest extends Memtables.SealState {

    static final byte[] KEY = Memtables.bytes("k");

    @Actor
    public void writer(LL_Result r) {
        try {
            r.r1 = list.tryInsert(KEY, Memtables.bytes("v")).name();
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void sealer() {
        seal();
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        r.r2 = verdict(() -> flush(list));
    }

    static String flush(ConcurrentSkipList frozen) {
        int entries = 0;
        boolean match = false;
        for (Entry e : frozen) {
            entries++;
            match = !e.isTombstone() && Memtables.text(e.key()).equals("k") && Memtables.text(e.value()).equals("v");
        }
        if (entries == 0) {
            return "ABSENT";
        }
        return entries == 1 && match ? "PRESENT" : "GARBLED_" + entries;
    }
}
