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
 * A reader closing while the writer reclaims does not free what another open reader sees. Two
 * read transactions are opened on the first snapshot (every key 0) before the actors start. The
 * writer commits four transactions; each begins with Pager.reclaim, which returns the blocks no
 * open reader and no base needs any more, and each replaces the value of KEY (freeing its
 * partition and path) and allocates new blocks. The reader closes the first transaction
 * (Pager.release, racing those reclaims), then reads KEY through the second, as a zero-copy
 * segment, twice, and closes it. That snapshot is known, so both reads must give 0: a release
 * that drops every reader of the state, or a horizon that ignores readers, lets a commit after
 * the release reuse the pages under the segment. (Two actors, not three: jcstress cannot
 * schedule three on a machine of two CPUs, and the release just before the reads is the
 * interleaving that matters.)
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "The kept reader saw its snapshot, unchanged.")
@Outcome(expect = FORBIDDEN, desc = "The kept reader's pages were reused (a value other than 0, torn or missing: -1),"
        + " or a call threw.")
@State
public class ReleaseRacingReclaimTest {

    static final byte[] KEY = Fixtures.key(3);

    final PageStore store = Fixtures.store();
    final ReadTransaction released = store.read();
    final ReadTransaction kept = store.read(); // the same state as released

    @Actor
    public void writer() {
        for (int n = 1; n <= 4; n++) { // each begin() reclaims; each commit frees a copied path
            Fixtures.commit(store, n, KEY, Fixtures.key(n * 13 % Fixtures.KEYS));
        }
    }

    @Actor
    public void reader(LL_Result r) {
        try (ReadTransaction txn = kept) { // its close races the writer's reclaim too
            released.close();
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
