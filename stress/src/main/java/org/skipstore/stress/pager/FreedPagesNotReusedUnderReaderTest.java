package org.skipstore.stress.pager;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.ReadView;

/**
 * Proves that a block the writer frees is not reused while a reader can still see it, and so
 * that an open view does not change: the reader reads its number twice, and the writer's
 * second commit would overwrite the first block if it reused it too early. The page layer alone;
 * {@link org.skipstore.stress.store.FreedPagesNotReusedUnderReaderTest} races the same through
 * the store, in every durability mode.
 *
 * <p>State 2 holds 1 at root 0. The writer commits 2 (freeing the block of 1) and then 3 (which
 * allocates: the block of 1 is the first candidate, reusable only once no view of state 2 is
 * open). The reader opens a view, reads the number, reads it again. Fields: the view's
 * transaction, the first and the second read.
 */
@JCStressTest
@Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "A view of state 2: its block stayed as it was.")
@Outcome(id = "3, 2, 2", expect = ACCEPTABLE, desc = "A view of state 3.")
@Outcome(id = "4, 3, 3", expect = ACCEPTABLE, desc = "A view of state 4.")
@Outcome(id = {"2, 1, [^1]", "3, 2, [^2]", "4, 3, [^3]"}, expect = FORBIDDEN,
        desc = "The view changed under the reader: a block it sees was reused.")
@Outcome(expect = FORBIDDEN, desc = "A view mixed states, or a call threw.")
@State
public class FreedPagesNotReusedUnderReaderTest {

    final Pager pager = Fixtures.withOne();

    @Actor
    public void writer() {
        Fixtures.commitValue(pager, 2);
        Fixtures.commitValue(pager, 3);
    }

    @Actor
    public void reader(LLL_Result r) {
        try (ReadView v = pager.read()) {
            r.r1 = v.txnId();
            r.r2 = Fixtures.value(v);
            Thread.onSpinWait();
            r.r3 = Fixtures.value(v);
        } catch (Throwable t) {
            r.r1 = Fixtures.name(t);
        }
    }

    @Arbiter
    public void close(LLL_Result r) {
        Fixtures.close(pager);
    }
}
