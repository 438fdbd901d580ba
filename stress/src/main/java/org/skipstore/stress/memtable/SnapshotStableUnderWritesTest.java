package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Snapshot;

/**
 * Proves that a snapshot does not change while a writer changes the list: new keys before, between
 * and after its keys, an overwrite and a delete all stay invisible to it, whether it is read by
 * iteration or by point lookups, during the writes or after them.
 *
 * <p>The state holds {@code b=1, d=2, f=3}. Actor 1 inserts {@code a=7}, puts {@code e=8},
 * overwrites {@code d=9}, deletes {@code f} and puts {@code g=6}, in that order. Actor 2 reads a
 * snapshot twice; the arbiter reads it a third time once the writer is done. A read is the
 * iteration ({@code key value} pairs, {@code ~} for a tombstone), a slash, then a {@code get} of
 * each of {@code a b d e f g} ({@code -} for none). The arbiter reports a failed write instead of
 * its read. Two variants: {@link TakenBeforeWrites} takes the snapshot in the state's constructor,
 * before any write; {@link TakenDuringWrites} lets actor 2 take it while the writes are in flight.
 */
public class SnapshotStableUnderWritesTest {

    static final String[] KEYS = {"a", "b", "d", "e", "f", "g"};

    /** State shared by both variants: the list, the snapshot, the writes and the reads. */
    abstract static class Base {
        final ConcurrentSkipList list = Memtables.newList();
        volatile Snapshot snapshot;
        volatile String writerFailure;

        Base() {
            list.put(Memtables.bytes("b"), Memtables.bytes("1"));
            list.put(Memtables.bytes("d"), Memtables.bytes("2"));
            list.put(Memtables.bytes("f"), Memtables.bytes("3"));
        }

        void write() {
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

        /** Reads the snapshot twice, into the first two fields. */
        void readTwice(LLL_Result r) {
            r.r1 = Memtables.read(snapshot, KEYS);
            r.r2 = Memtables.read(snapshot, KEYS);
        }

        /** The arbiter: the writer's failure, else a last read of the snapshot; then closes the list. */
        void finish(LLL_Result r) {
            Snapshot s = snapshot;
            r.r3 = writerFailure != null ? writerFailure : s == null ? "NO_SNAPSHOT" : Memtables.read(s, KEYS);
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r3 = failure;
            }
        }
    }

    /** The snapshot is taken after the pre-state, before the writer starts: all three reads must be the pre-state. */
    @JCStressTest
    @Outcome(id = "b1d2f3/-12-3-, b1d2f3/-12-3-, b1d2f3/-12-3-", expect = ACCEPTABLE,
            desc = "Every read of the snapshot shows exactly the state it was taken at.")
    @Outcome(id = ".*, WRITER_.*", expect = FORBIDDEN, desc = "A write of actor 1 failed or threw.")
    @Outcome(expect = FORBIDDEN,
            desc = "A read of the snapshot showed a write made after it (or lost a key), or a read threw.")
    @State
    public static class TakenBeforeWrites extends Base {

        public TakenBeforeWrites() {
            snapshot = list.snapshot();
        }

        @Actor
        public void writer() {
            write();
        }

        @Actor
        public void reader(LLL_Result r) {
            readTwice(r);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            finish(r);
        }
    }

    /**
     * Actor 2 takes the snapshot while actor 1's writes are in flight. It is a point in time even
     * so: it shows the state after some prefix of the writes (one thread's writes take increasing
     * sequences, and the snapshot holds exactly those at or below its own), and every read of it
     * shows that state, during the writes and after them. Fields: the three reads; they must be
     * equal, and one of the six prefix states.
     */
    @JCStressTest
    @Outcome(id = "b1d2f3/-12-3-, b1d2f3/-12-3-, b1d2f3/-12-3-", expect = ACCEPTABLE,
            desc = "The snapshot came before the first write; every read shows the pre-state.")
    @Outcome(id = "a7b1d2f3/712-3-, a7b1d2f3/712-3-, a7b1d2f3/712-3-", expect = ACCEPTABLE_INTERESTING,
            desc = "Taken after the insert of a; every read agrees.")
    @Outcome(id = "a7b1d2e8f3/71283-, a7b1d2e8f3/71283-, a7b1d2e8f3/71283-", expect = ACCEPTABLE_INTERESTING,
            desc = "Taken after the put of e; every read agrees.")
    @Outcome(id = "a7b1d9e8f3/71983-, a7b1d9e8f3/71983-, a7b1d9e8f3/71983-", expect = ACCEPTABLE_INTERESTING,
            desc = "Taken after the overwrite of d; every read agrees.")
    @Outcome(id = "a7b1d9e8f~/7198~-, a7b1d9e8f~/7198~-, a7b1d9e8f~/7198~-", expect = ACCEPTABLE_INTERESTING,
            desc = "Taken after the delete of f; every read agrees.")
    @Outcome(id = "a7b1d9e8f~g6/7198~6, a7b1d9e8f~g6/7198~6, a7b1d9e8f~g6/7198~6", expect = ACCEPTABLE,
            desc = "Taken after the last write; every read shows the final state.")
    @Outcome(id = ".*, WRITER_.*", expect = FORBIDDEN, desc = "A write of actor 1 failed or threw.")
    @Outcome(id = "([^,]*), (?!\\1,)[^,]*, .*", expect = FORBIDDEN,
            desc = "The second read of the snapshot differs from the first: not repeatable.")
    @Outcome(id = "([^,]*), \\1, (?!\\1$).*", expect = FORBIDDEN,
            desc = "The read after the writer finished differs from the reads during the writes.")
    @Outcome(expect = FORBIDDEN,
            desc = "The reads agree on a state that no prefix of the writes leads to (a torn or lost write, "
                    + "iteration and gets disagree), or a call threw.")
    @State
    public static class TakenDuringWrites extends Base {

        @Actor
        public void writer() {
            write();
        }

        @Actor
        public void reader(LLL_Result r) {
            try {
                snapshot = list.snapshot();
            } catch (Throwable t) {
                r.r1 = "SNAPSHOT_" + Memtables.name(t);
                return;
            }
            readTwice(r);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            finish(r);
        }
    }
}
