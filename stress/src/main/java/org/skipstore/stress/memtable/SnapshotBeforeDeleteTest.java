package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Iterator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;
import org.skipstore.core.Snapshot;

/**
 * Proves that a delete does not hide a value from a snapshot taken before it: the delete adds a
 * tombstone version and removes nothing, so a snapshot sees the value (taken before the delete)
 * or the tombstone (taken after), the same one on every read, and never nothing.
 *
 * <p>The state holds {@code k=v}. Actor 1 deletes {@code k}; actor 2 takes a snapshot, reads
 * {@code k} with {@code get}, then reads it again by iterating the snapshot (which must yield
 * exactly one entry). Fields: the delete's return value (true: it shadowed a live version, which
 * it must), the {@code get}, and the iteration: {@code VALUE}, {@code TOMBSTONE} or {@code NULL}.
 */
@JCStressTest
@Outcome(id = "true, VALUE, VALUE", expect = ACCEPTABLE, desc = "The snapshot was taken before the delete.")
@Outcome(id = "true, TOMBSTONE, TOMBSTONE", expect = ACCEPTABLE, desc = "The snapshot was taken after the delete.")
@Outcome(id = ".*, VALUE, TOMBSTONE", expect = FORBIDDEN, desc = "The delete showed up in the snapshot after it was read.")
@Outcome(id = ".*, TOMBSTONE, VALUE", expect = FORBIDDEN, desc = "The snapshot went back from the tombstone to the value.")
@Outcome(id = {".*, NULL, .*", ".*, .*, NULL"}, expect = FORBIDDEN, desc = "The snapshot lost the key.")
@Outcome(id = "false, .*", expect = FORBIDDEN, desc = "The delete did not see the live value it shadowed.")
@Outcome(expect = FORBIDDEN, desc = "Another result (a wrong value, extra entries), or a call threw.")
@State
public class SnapshotBeforeDeleteTest {

    static final byte[] KEY = Memtables.bytes("k");

    final ConcurrentSkipList list = Memtables.newList();

    public SnapshotBeforeDeleteTest() {
        list.put(KEY, Memtables.bytes("v"));
    }

    @Actor
    public void deleter(LLL_Result r) {
        try {
            r.r1 = String.valueOf(list.delete(KEY));
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void reader(LLL_Result r) {
        try {
            Snapshot s = list.snapshot();
            r.r2 = verdict(s.get(KEY));
            Iterator<Entry> it = s.iterator();
            Entry e = it.hasNext() ? it.next() : null;
            if (e != null && !Memtables.text(e.key()).equals("k")) {
                r.r3 = "WRONG_KEY";
            } else {
                r.r3 = it.hasNext() ? "EXTRA_ENTRY" : verdict(e);
            }
        } catch (Throwable t) {
            r.r3 = "READ_" + Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        String failure = Memtables.close(list);
        if (failure != null) {
            r.r1 = failure;
        }
    }

    static String verdict(Entry e) {
        if (e == null) {
            return "NULL";
        }
        if (e.isTombstone()) {
            return "TOMBSTONE";
        }
        return Memtables.text(e.value()).equals("v") ? "VALUE" : "WRONG_VALUE";
    }
}
