package org.skipstore.stress.pager;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;

/**
 * Proves that a reader never sees part of a transaction while the writer commits it: a view
 * opened at any instant is of one committed state, whose roots lead to blocks with that state's
 * bytes. The page layer alone; {@link org.skipstore.stress.store.ReaderSeesWholeTransactionTest}
 * races the same through the store, on keys in two partitions.
 *
 * <p>State 2 has root 0 at a block holding 1. The writer commits state 3: a new block holding
 * 2 as root 0, the old block freed. The reader opens a view and reads its transaction id and the
 * number at root 0. Fields: the view's transaction, the number.
 */
@JCStressTest
@Outcome(id = "2, 1", expect = ACCEPTABLE, desc = "The view is of the state before the commit.")
@Outcome(id = "3, 2", expect = ACCEPTABLE, desc = "The view is of the committed state.")
@Outcome(id = {"3, 1", "2, 2"}, expect = FORBIDDEN, desc = "A view mixed two states.")
@Outcome(expect = FORBIDDEN, desc = "Other bytes (a block not written yet), or a call threw.")
@State
public class ReaderSeesWholeTransactionTest {

    final Pager pager = Fixtures.withOne();

    @Actor
    public void writer() {
        Fixtures.commitValue(pager, 2);
    }

    @Actor
    public void reader(LL_Result r) {
        try (ReadView v = pager.read()) {
            r.r1 = v.txnId();
            r.r2 = Fixtures.value(v);
        } catch (Throwable t) {
            r.r1 = Fixtures.name(t);
        }
    }

    @Arbiter
    public void close(LL_Result r) {
        Fixtures.close(pager);
    }
}
