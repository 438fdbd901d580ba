package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteTransaction;

/**
 * Write transactions of two threads come one after the other, and both land whole: each thread
 * appends keys of its own after the store's last key (the writer's finger path, whose bound keys
 * the store keeps in one buffer for all its write transactions) and commits; afterwards every
 * key of both holds its thread's value.
 */
@JCStressTest
@Outcome(id = "4, 4", expect = ACCEPTABLE, desc = "Both transactions landed whole.")
@Outcome(expect = FORBIDDEN, desc = "A put was lost or torn, or a call threw (-1).")
@State
public class TwoWritersBothLandTest {

    static final int PUTS = 4;

    final PageStore store = Fixtures.store();

    @Actor
    public void first() {
        append(0, 1);
    }

    @Actor
    public void second() {
        append(PUTS, 2);
    }

    private void append(int from, long n) {
        try (WriteTransaction txn = store.write()) {
            for (int i = 0; i < PUTS; i++) {
                txn.put(Fixtures.key(Fixtures.KEYS + from + i), Fixtures.value(n));
            }
            txn.commit();
        }
    }

    @Arbiter
    public void check(II_Result r) {
        try (ReadTransaction txn = store.read()) {
            r.r1 = landed(txn, 0, 1);
            r.r2 = landed(txn, PUTS, 2);
        } catch (RuntimeException e) {
            r.r1 = -1;
        }
        Fixtures.close(store);
    }

    private static int landed(ReadTransaction txn, int from, long n) {
        int count = 0;
        for (int i = 0; i < PUTS; i++) {
            if (Fixtures.read(txn, Fixtures.key(Fixtures.KEYS + from + i)) == n) {
                count++;
            }
        }
        return count;
    }
}
