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
 * Under {@link Durability#GROUP} too, a block freed under an open reader is not reused: a
 * reader's zero-copy segment read twice gives the same bytes, and they are its snapshot's. In
 * this mode a commit is published before its force, so the base lags behind the last commit and
 * the reuse rule is "no reader before T and the base at T or later"; the reader's protection
 * must hold on its own once the force has moved the base. The writer commits four times; each
 * commit replaces KEY with the number of commits so far (freeing its partition and path). The
 * reader reads KEY twice through one segment. Fields: which state the snapshot is (commits
 * since the first), the first and the second read; they must be equal.
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "1, 1, 1", "2, 2, 2", "3, 3, 3", "4, 4, 4"}, expect = ACCEPTABLE,
        desc = "A snapshot's own value, read twice the same.")
@Outcome(expect = FORBIDDEN, desc = "The segment changed (its page was reused), or held another state's value, or was"
        + " torn or missing (-1); or a call threw.")
@State
public class ReaderProtectedUnderGroupTest {

    static final byte[] KEY = Fixtures.key(3);

    final PageStore store = Fixtures.store(Durability.GROUP);
    final long first = Fixtures.lastCommit(store);

    @Actor
    public void writer() {
        for (int n = 1; n <= 4; n++) {
            Fixtures.commitCount(store, first, KEY); // returns once a group force covered it
        }
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
