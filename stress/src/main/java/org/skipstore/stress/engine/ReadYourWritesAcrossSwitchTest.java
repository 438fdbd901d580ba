package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.file.Path;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;

/**
 * A write that returned is read back by its thread across a memtable switch: each of two
 * writers puts its key and reads it at once, while a third actor seals the memtable and flushes
 * it (the write may land in the old memtable, the new one, or already the store). Fields: what
 * each writer read back.
 */
@JCStressTest
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "Each writer read its own write.")
@Outcome(expect = FORBIDDEN, desc = "A writer missed its own write (0), read it torn (-1), or a call threw.")
@State
public class ReadYourWritesAcrossSwitchTest {

    final Path dir = Dbs.directory();
    final Skipstore db = Dbs.open(dir, WriteDurability.GROUP);

    public ReadYourWritesAcrossSwitchTest() {
        db.put(Dbs.key(9), Dbs.value(9)); // the memtable is not empty: the flush seals it
    }

    long writeAndRead(int key, long n) {
        db.put(Dbs.key(key), Dbs.value(n));
        return Dbs.number(db.get(Dbs.key(key)));
    }

    @Actor
    public void writer1(LL_Result r) {
        try {
            r.r1 = writeAndRead(1, 1);
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Actor
    public void writer2(LL_Result r) {
        try {
            r.r2 = writeAndRead(2, 2);
        } catch (RuntimeException e) {
            r.r2 = e.toString();
        }
    }

    @Actor
    public void flusher() {
        db.flush();
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        db.close();
        Dbs.delete(dir);
    }
}
