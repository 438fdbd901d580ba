package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;

/**
 * A block the writer frees is not reused while a reader can still see it. The reader holds a
 * zero-copy segment of a value (a slice of a partition's page) and reads it twice; meanwhile the
 * writer replaces that value (the copy-on-write frees the partition and its path) and commits
 * three more transactions whose new partitions would land on the freed pages if they were
 * reused too early. The two reads of the same segment must agree.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The first snapshot: its pages stayed as they were.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "A later snapshot.")
@Outcome(id = "2, 2", expect = ACCEPTABLE, desc = "A later snapshot.")
@Outcome(id = "3, 3", expect = ACCEPTABLE, desc = "A later snapshot.")
@Outcome(id = "4, 4", expect = ACCEPTABLE, desc = "The last snapshot.")
@Outcome(expect = FORBIDDEN, desc = "The segment changed under the reader: its page was reused; or a call threw.")
@State
public class FreedPagesNotReusedUnderReaderTest {

    final PageStore store = Fixtures.store();
    static final byte[] KEY = Fixtures.key(3);

    @Actor
    public void writer() {
        for (int n = 1; n <= 4; n++) { // each commit replaces the value and frees what it copied
            Fixtures.commit(store, n, KEY, Fixtures.key(n * 13 % Fixtures.KEYS));
        }
    }

    @Actor
    public void reader(LL_Result r) {
        try (ReadTransaction txn = store.read()) {
            MemorySegment v = txn.get(MemorySegment.ofArray(KEY));
            r.r1 = Fixtures.number(v);
            Thread.onSpinWait();
            r.r2 = Fixtures.number(v);
        } catch (RuntimeException e) {
            r.r1 = e.getClass().getSimpleName();
        }
    }

    @Arbiter
    public void close(LL_Result r) {
        Fixtures.close(store);
    }
}
