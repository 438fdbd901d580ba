package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;

/**
 * A reader never sees part of a transaction: the writer sets the first and the last key (in
 * different partitions) to 1 in one transaction; a reader reads both in one read transaction.
 * {@link org.skipstore.stress.pager.ReaderSeesWholeTransactionTest} races the same on the page
 * layer alone.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The snapshot before the commit.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "The snapshot after the commit.")
@Outcome(id = {"1, 0", "0, 1"}, expect = FORBIDDEN, desc = "Half a transaction: a torn commit.")
@Outcome(expect = FORBIDDEN, desc = "A torn or missing value, or a call threw.")
@State
public class ReaderSeesWholeTransactionTest {

    final PageStore store = Fixtures.store();

    @Actor
    public void writer() {
        Fixtures.commit(store, 1, Fixtures.FIRST, Fixtures.LAST);
    }

    @Actor
    public void reader(LL_Result r) {
        try (ReadTransaction txn = store.read()) {
            r.r1 = Fixtures.read(txn, Fixtures.LAST);
            r.r2 = Fixtures.read(txn, Fixtures.FIRST);
        } catch (RuntimeException e) {
            r.r1 = e.getClass().getSimpleName();
        }
    }

    @Arbiter
    public void close(LL_Result r) {
        Fixtures.close(store);
    }
}
