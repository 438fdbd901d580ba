package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.Range;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteTransaction;

/**
 * A snapshot sees a delete and an overwrite of one transaction together or not at all, and a
 * deleted key stays deleted. Transaction 1 deletes GONE and sets KEPT (another partition) to 1;
 * transaction 2 sets KEPT to 2 and the neighbours of GONE to 2, copying GONE's partition again
 * (a copy made from a stale partition would bring GONE back). The reader, in one read
 * transaction, reads GONE, counts the entries with a scan, then reads KEPT. Fields: GONE's value
 * or "absent", KEPT's value, the count.
 */
@JCStressTest
@Outcome(id = "0, 0, 64", expect = ACCEPTABLE, desc = "The snapshot before both transactions.")
@Outcome(id = "absent, 1, 63", expect = ACCEPTABLE, desc = "The snapshot of transaction 1.")
@Outcome(id = "absent, 2, 63", expect = ACCEPTABLE, desc = "The snapshot of transaction 2.")
@Outcome(id = {"absent, 0, .*", "0, 1, .*", "0, 2, .*"}, expect = FORBIDDEN,
        desc = "Half of transaction 1 (the delete without the overwrite, or the reverse), or GONE came back.")
@Outcome(expect = FORBIDDEN, desc = "A count that is not the snapshot's, a value neither old nor new, torn (-1), or a"
        + " call threw.")
@State
public class SnapshotRacingDeleteTest {

    static final int GONE_INDEX = 20;
    static final byte[] GONE = Fixtures.key(GONE_INDEX);
    static final byte[] KEPT = Fixtures.key(50);

    final PageStore store = Fixtures.store();

    @Actor
    public void writer() {
        try (WriteTransaction txn = store.write()) {
            txn.delete(GONE);
            txn.put(KEPT, Fixtures.value(1));
            txn.commit();
        }
        Fixtures.commit(store, 2, KEPT, Fixtures.key(GONE_INDEX - 1), Fixtures.key(GONE_INDEX + 1));
    }

    @Actor
    public void reader(LLL_Result r) {
        try (ReadTransaction txn = store.read()) {
            MemorySegment gone = txn.get(MemorySegment.ofArray(GONE));
            r.r1 = gone == null ? "absent" : Fixtures.number(gone);
            r.r3 = txn.scan(Range.all(), (k, v) -> true); // between the reads: a wider window for a commit
            r.r2 = Fixtures.read(txn, KEPT);
        } catch (RuntimeException e) {
            r.r1 = e.getClass().getSimpleName();
        }
    }

    @Arbiter
    public void close(LLL_Result r) {
        Fixtures.close(store);
    }
}
