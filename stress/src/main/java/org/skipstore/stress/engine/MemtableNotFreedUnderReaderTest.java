package org.skipstore.stress.engine;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;
import org.skipstore.core.OrderedCursor;
import org.skipstore.pagestore.DbSnapshot;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;

/**
 * A memtable is not freed under a reader: the reader holds a snapshot's cursor on a key that
 * lives in the memtable, and reads the cursor's value view (the memtable's own memory, not a
 * copy) twice, while the other actor flushes the memtable into the store, which retires it.
 * The memtable must stay until the snapshot is closed. Fields: the two reads.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both reads saw the value: the memory was still the memtable's.")
@Outcome(expect = FORBIDDEN, desc = "The memory was freed or reused under the reader (a CLOSED or closed-arena error, or"
        + " another value).")
@State
public class MemtableNotFreedUnderReaderTest {

    static final byte[] KEY = Dbs.key(1);

    final Path dir = Dbs.directory();
    final Skipstore db = Dbs.open(dir, WriteDurability.NO_SYNC);

    public MemtableNotFreedUnderReaderTest() {
        db.put(KEY, Dbs.value(1));
    }

    @Actor
    public void flusher() {
        db.flush();
    }

    @Actor
    public void reader(LL_Result r) {
        try (DbSnapshot s = db.snapshot(); OrderedCursor c = s.cursor()) {
            if (!c.seek(KEY)) {
                r.r1 = "missing";
                return;
            }
            var v = c.value();
            r.r1 = v.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0);
            Thread.onSpinWait();
            r.r2 = v.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0);
        } catch (RuntimeException e) {
            r.r1 = e.toString();
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        db.close();
        Dbs.delete(dir);
    }
}
