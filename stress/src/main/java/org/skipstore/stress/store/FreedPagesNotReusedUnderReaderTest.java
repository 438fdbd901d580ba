package org.skipstore.stress.store;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressMeta;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;

/**
 * A block the writer frees is not reused while a reader can still see it, in every durability
 * mode. The reader holds a zero-copy segment of KEY's value (a slice of a partition's page) and
 * reads it twice; meanwhile the writer commits four times, each commit replacing KEY with the
 * number of commits so far (the copy-on-write frees KEY's partition and its path) and rewriting
 * one other partition, so new partitions would land on the freed pages if they were reused too
 * early. Fields: which state the snapshot is (commits since the first), the first and the second
 * read; they must be equal, and the snapshot's own.
 *
 * <p>One nested test per mode (jcstress takes no parameters; {@link JCStressMeta} shares these
 * outcomes), because each mode lets a different rule decide reuse besides the readers:
 * <ul>
 *   <li>SYNC and SYNC_SINGLE_BARRIER: the base (the last state known durable) is the last commit.
 *   <li>GROUP: a commit is published before its force, so the base lags behind the last commit and
 *       the rule is "no reader before T and the base at T or later"; the reader's protection must
 *       hold on its own once the force has moved the base.
 *   <li>NO_SYNC: the base moves only at checkpoints, and while it lags it alone keeps freed blocks
 *       back; the reader's protection is what counts once a checkpoint moves the base past the
 *       reader. These commits are far below the automatic checkpoint thresholds
 *       (Pager.checkpointAfter, not reachable through PageStore), so the writer forces checkpoints
 *       with sync().
 * </ul>
 * A reclaim that ignored the base would harm only recovery, not readers: PagerCrashTest catches
 * that, this test cannot. {@link org.skipstore.stress.pager.FreedPagesNotReusedUnderReaderTest}
 * races the same on the page layer alone.
 */
@Outcome(id = {"0, 0, 0", "1, 1, 1", "2, 2, 2", "3, 3, 3", "4, 4, 4"}, expect = ACCEPTABLE,
        desc = "A snapshot's own value, read twice the same.")
@Outcome(expect = FORBIDDEN, desc = "The segment changed (its page was reused), or held another state's value, or was"
        + " torn or missing (-1); or a call threw.")
public final class FreedPagesNotReusedUnderReaderTest {

    static final byte[] KEY = Fixtures.key(3);

    private FreedPagesNotReusedUnderReaderTest() {
    }

    /** The writer of every mode but NO_SYNC: four commits, each returning once it is durable. */
    static void commitFour(PageStore store, long first) {
        for (int n = 1; n <= 4; n++) {
            Fixtures.commitCount(store, first, KEY);
        }
    }

    @JCStressTest
    @JCStressMeta(FreedPagesNotReusedUnderReaderTest.class)
    @State
    public static class Sync {
        final PageStore store = Fixtures.store(Durability.SYNC);
        final long first = Fixtures.lastCommit(store);

        @Actor
        public void writer() {
            commitFour(store, first);
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

    @JCStressTest
    @JCStressMeta(FreedPagesNotReusedUnderReaderTest.class)
    @State
    public static class SyncSingleBarrier {
        final PageStore store = Fixtures.store(Durability.SYNC_SINGLE_BARRIER);
        final long first = Fixtures.lastCommit(store);

        @Actor
        public void writer() {
            commitFour(store, first);
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

    @JCStressTest
    @JCStressMeta(FreedPagesNotReusedUnderReaderTest.class)
    @State
    public static class Group {
        final PageStore store = Fixtures.store(Durability.GROUP);
        final long first = Fixtures.lastCommit(store);

        @Actor
        public void writer() {
            commitFour(store, first); // each returns once a group force covered it
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

    @JCStressTest
    @JCStressMeta(FreedPagesNotReusedUnderReaderTest.class)
    @State
    public static class NoSync {
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
}
