package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.file.Path;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteBatch;
import org.skipstore.pagestore.WriteDurability;

/**
 * Two writers' batches are each atomic: each writes A and B to its own number in one batch
 * (GROUP: they may share a write group, one after the other in it); a reader's snapshot sees A
 * and B equal (neither, one batch or the other, never half of one), and at the end A and B are
 * equal and the number of one of them. Fields: the reader's A and B, the final A and B.
 */
@JCStressTest
@Outcome(id = {"0, 0, 1, 1", "1, 1, 1, 1", "2, 2, 1, 1", "0, 0, 2, 2", "1, 1, 2, 2", "2, 2, 2, 2"},
        expect = ACCEPTABLE, desc = "The reader saw whole batches; the last batch wins whole.")
@Outcome(expect = FORBIDDEN, desc = "Half a batch was seen or survived, or a value was torn (-1), or a call threw.")
@State
public class BatchesAtomicTest {

    static final byte[] A = Dbs.key(1);
    static final byte[] B = Dbs.key(2);

    final Path dir = Dbs.directory();
    final Skipstore db = Dbs.open(dir, WriteDurability.GROUP);

    void write(long n) {
        db.write(new WriteBatch().put(A, Dbs.value(n)).put(B, Dbs.value(n)));
    }

    @Actor
    public void writer1() {
        write(1);
    }

    @Actor
    public void writer2() {
        write(2);
    }

    @Actor
    public void reader(LLLL_Result r) {
        try (DbSnapshot s = db.snapshot()) {
            r.r1 = Dbs.number(s.get(A));
            r.r2 = Dbs.number(s.get(B));
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        try {
            r.r3 = Dbs.number(db.get(A));
            r.r4 = Dbs.number(db.get(B));
        } finally {
            db.close();
            Dbs.delete(dir);
        }
    }
}
