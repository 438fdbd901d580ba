package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;
import org.skipstore.core.Snapshot;

/**
 * Proves that a snapshot does not change while a writer changes the list: new keys before, between
 * and after its keys, an overwrite and a delete all stay invisible to it, whether it is read by
 * iteration or by point lookups, during the writes or after them.
 *
 * <p>The state holds {@code b=1, d=2, f=3} and a snapshot taken after them. Actor 1 inserts
 * {@code a}, puts {@code e} and {@code g}, overwrites {@code d} and deletes {@code f}. Actor 2
 * reads the snapshot twice; the arbiter reads it a third time once the writer is done. A read is
 * the iteration ({@code key value} pairs, {@code ~} for a tombstone), a slash, then a {@code get}
 * of each of {@code a b d e f g} ({@code -} for none). All three must be the pre-state,
 * {@code b1d2f3/-12-3-}. The arbiter reports a failed write instead of its read.
 */
@JCStressTest
@Outcome(id = "b1d2f3/-12-3-, b1d2f3/-12-3-, b1d2f3/-12-3-", expect = ACCEPTABLE,
        desc = "Every read of the snapshot shows exactly the state it was taken at.")
@Outcome(id = ".*, WRITER_.*", expect = FORBIDDEN, desc = "A write of actor 1 failed or threw.")
@Outcome(expect = FORBIDDEN,
        desc = "A read of the snapshot showed a write made after it (or lost a key), or a read threw.")
@State
public class SnapshotStableUnderWritesTest {

    static final String[] KEYS = {"a", "b", "d", "e", "f", "g"};

    final ConcurrentSkipList list = Memtables.newList();
    final Snapshot snapshot;
    volatile String writerFailure;

    public SnapshotStableUnderWritesTest() {
        list.put(Memtables.bytes("b"), Memtables.bytes("1"));
        list.put(Memtables.bytes("d"), Memtables.bytes("2"));
        list.put(Memtables.bytes("f"), Memtables.bytes("3"));
        snapshot = list.snapshot();
    }

    @Actor
    public void writer() {
        try {
            boolean ok = list.insert(Memtables.bytes("a"), Memtables.bytes("7"))
                    & list.put(Memtables.bytes("e"), Memtables.bytes("8")).name().equals("INSERTED")
                    & list.put(Memtables.bytes("d"), Memtables.bytes("9")).name().equals("INSERTED")
                    & list.delete(Memtables.bytes("f"))
                    & list.put(Memtables.bytes("g"), Memtables.bytes("6")).name().equals("INSERTED");
            if (!ok) {
                writerFailure = "WRITER_REFUSED";
            }
        } catch (Throwable t) {
            writerFailure = "WRITER_" + Memtables.name(t);
        }
    }

    @Actor
    public void reader(LLL_Result r) {
        r.r1 = read(snapshot);
        r.r2 = read(snapshot);
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            r.r3 = writerFailure != null ? writerFailure : read(snapshot);
        } finally {
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r3 = failure;
            }
        }
    }

    static String read(Snapshot s) {
        try {
            StringBuilder sb = new StringBuilder();
            for (Entry e : s) {
                sb.append(Memtables.text(e.key())).append(Memtables.valueOf(e));
            }
            sb.append('/');
            for (String k : KEYS) {
                sb.append(Memtables.valueOf(s.get(Memtables.bytes(k))));
            }
            return sb.toString();
        } catch (Throwable t) {
            return "READ_" + Memtables.name(t);
        }
    }
}
