package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;

/**
 * A reader's view does not change while it is open: the writer commits 1, then 2, under one
 * key; the reader reads that key twice in one read transaction, and a scan of the whole store
 * between the reads counts the entries holding that value.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "A snapshot before both commits.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "A snapshot between them.")
@Outcome(id = "2, 2, 2", expect = ACCEPTABLE, desc = "A snapshot after both.")
@Outcome(expect = FORBIDDEN, desc = "The snapshot changed between two reads, or a call threw.")
@State
public class SnapshotDoesNotChangeTest {

    final PageStore store = Fixtures.store();
    static final byte[] KEY = Fixtures.key(Fixtures.KEYS / 2);

    @Actor
    public void writer() {
        Fixtures.commit(store, 1, KEY);
        Fixtures.commit(store, 2, KEY);
    }

    @Actor
    public void reader(LLL_Result r) {
        try (ReadTransaction txn = store.read()) {
            long first = Fixtures.read(txn, KEY);
            long[] seen = {-1};
            txn.scan(org.skipstore.pagestore.Range.all(), (k, v) -> {
                if (java.util.Arrays.equals(k.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), KEY)) {
                    seen[0] = Fixtures.number(v);
                }
                return true;
            });
            r.r1 = first;
            r.r2 = seen[0];
            r.r3 = Fixtures.read(txn, KEY);
        } catch (RuntimeException e) {
            r.r1 = e.getClass().getSimpleName();
        }
    }

    @Arbiter
    public void close(LLL_Result r) {
        Fixtures.close(store);
    }
}
