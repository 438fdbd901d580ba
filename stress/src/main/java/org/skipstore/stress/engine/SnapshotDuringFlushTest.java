package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.file.Path;
import java.util.Arrays;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;

/**
 * A snapshot taken while a flush moves a memtable into the store sees every key exactly once,
 * at its right version. Keys 0..5 hold 1 in the store (flushed), then keys 0..2 are overwritten
 * with 2 and key 5 deleted in the memtable; one actor flushes (the memtable is sealed and moved
 * into the store: the read state changes under the reader), the other scans a snapshot with a
 * cursor. Fields: keys seen, the sum of their numbers, keys seen twice or out of order.
 */
@JCStressTest
@Outcome(id = "5, 8, 0", expect = ACCEPTABLE, desc = "Keys 0..4 once each: 2+2+2+1+1; key 5 deleted.")
@Outcome(expect = FORBIDDEN, desc = "A key was missed, seen twice or at another version, a deleted key came back, or a"
        + " call threw.")
@State
public class SnapshotDuringFlushTest {

    final Path dir = Dbs.directory();
    final Skipstore db = Dbs.open(dir, WriteDurability.NO_SYNC);

    public SnapshotDuringFlushTest() {
        for (int i = 0; i < 6; i++) {
            db.put(Dbs.key(i), Dbs.value(1));
        }
        db.flush();
        for (int i = 0; i < 3; i++) {
            db.put(Dbs.key(i), Dbs.value(2));
        }
        db.delete(Dbs.key(5));
    }

    @Actor
    public void flusher() {
        db.flush();
    }

    @Actor
    public void reader(LLL_Result r) {
        long keys = 0;
        long sum = 0;
        long wrong = 0;
        byte[] last = null;
        try (DbSnapshot s = db.snapshot(); OrderedCursor c = s.cursor()) {
            while (c.next()) {
                byte[] k = c.keyBytes();
                if (last != null && Arrays.compareUnsigned(last, k) >= 0) {
                    wrong++;
                }
                last = k;
                keys++;
                sum += Dbs.number(c.valueBytes());
            }
            r.r1 = keys;
            r.r2 = sum;
            r.r3 = wrong;
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        db.close();
        Dbs.delete(dir);
    }
}
