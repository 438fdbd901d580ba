package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;

/**
 * Under {@link Durability#NO_SYNC} too, a block freed under an open reader is not reused: a
 * reader's zero-copy segment read twice gives the same bytes, and they are its snapshot's. Here
 * the base moves only at checkpoints, and while it lags it alone keeps freed blocks back; the
 * reader's protection is what counts once a checkpoint moves the base past the reader. These
 * commits are far below the automatic checkpoint thresholds (Pager.checkpointAfter, not reachable
 * through PageStore), so the writer forces checkpoints with sync(): commit 1, commit 2 (the base
 * lags), sync, commit 3, sync, commit 4. Each commit replaces KEY with the number of commits so
 * far. Fields: which state the snapshot is, the first and the second read; they must be equal.
 * A reclaim that ignored the base would harm only recovery, not readers: PagerCrashTest catches
 * that, this test cannot.
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "1, 1, 1", "2, 2, 2", "3, 3, 3", "4, 4, 4"}, expect = ACCEPTABLE,
        desc = "A snapshot's own value, read twice the same.")
@Outcome(expect = FORBIDDEN, desc = "The segment changed (its page was reused), or held another state's value, or was"
        + " torn or missing (-1); or a call threw.")
@State
public class ReaderProtectedUnderNoSyncTest {

    static final byte[] KEY = Fixtures.key(3);

    final PageStore store = Fixtures.store(Durability.NO_SYNC);
    final long first = Fixtures.lastCommit(store);

    @Actor
    public void writer() {
        Fixtures.commitCount(store, first, KEY);
        Fixtures.commitCount(store, first, KEY);
        store.sync(); // the base moves to commit 2: commit 3 may reuse what 1 and 2 freed
        Fixtures.commitCount(store, first, KEY);
        store.sync();
        Fixtures.commitCount(store, first, KEY);
    }

    @Actor
    public void reader(LLL_Result r) {
        Fixtures.readCountTwice(store, first, KEY, r);
    }

    @Arbiter
    public void close(LLL_Result r) {
        Fixtures.close(store);
    }
}
