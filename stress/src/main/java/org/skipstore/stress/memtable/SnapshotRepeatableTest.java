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
 * Proves that snapshot reads are repeatable while writers race (fastskip's first defect): had
 * writers taken their sequence numbers before linking, in one order, and linked in the other, a
 * snapshot at "the last sequence handed out" would include a sequence still being linked and see
 * its key appear between two reads. A version gets its sequence (stamp) only after it is linked,
 * and a reader that meets a linked version without one stamps it itself, above its snapshot; so
 * what a snapshot sees never changes.
 *
 * <p>Two writers each put a distinct key, {@code A} and {@code B}, into an empty list. A reader
 * takes a snapshot and reads both keys through it; then, as the work between the reads, it reads
 * both keys live (newest versions); then it reads both through the snapshot again. Fields: the
 * first snapshot read, the live read, the second snapshot read, each as two letters ({@code -}
 * for an absent key). The second snapshot read must repeat the first, and the live read, which
 * comes later, must include every key the snapshot saw (nodes are never unlinked).
 *
 * <p>jcstress runs a test only when the machine has a CPU for each actor, so there are three
 * variants: {@link ThirdActorReads} (two writers and a separate reader, three actors),
 * {@link WriterReads} (two actors: the writer of {@code B} is the reader, after its put) and
 * {@link ReaderWritesBetweenReads} (two actors: the reader writes {@code B} between its reads).
 * The last two run on two CPUs. The first two race a write that took a lower sequence against a
 * snapshot taken after a write with a higher one finished; the third, like the first, takes its
 * snapshot before it wrote anything while the other write may be in flight, and lets the two
 * writes race each other while the snapshot is held. (The first's exact interleaving, a reader
 * that wrote nothing facing a finished higher write and an unfinished lower one, needs two
 * writers besides the reader: three threads.)
 */
public class SnapshotRepeatableTest {

    static final byte[] KEY_A = Memtables.bytes("A");
    static final byte[] KEY_B = Memtables.bytes("B");

    /** State shared by both variants: the list, the writes and the reads. */
    abstract static class Base {
        final ConcurrentSkipList list = Memtables.newList();
        volatile String writerFailure;

        void put(byte[] key) {
            try {
                String r = list.put(key, Memtables.bytes("v")).name();
                if (!r.equals("INSERTED")) {
                    writerFailure = "WRITER_" + r;
                }
            } catch (Throwable t) {
                writerFailure = "WRITER_" + Memtables.name(t);
            }
        }

        void read(LLL_Result r) {
            read(r, () -> { });
        }

        /** {@link #read(LLL_Result)} that runs {@code between} after the first snapshot read. */
        void read(LLL_Result r, Runnable between) {
            try {
                Snapshot s = list.snapshot();
                r.r1 = keys(s.get(KEY_A) != null, s.get(KEY_B) != null);
                between.run();
                r.r2 = keys(list.get(KEY_A) != null, list.get(KEY_B) != null);
                r.r3 = keys(s.get(KEY_A) != null, s.get(KEY_B) != null);
            } catch (Throwable t) {
                r.r3 = "READ_" + Memtables.name(t);
            }
        }

        void finish(LLL_Result r) {
            if (writerFailure != null) {
                r.r2 = writerFailure;
            }
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r2 = failure;
            }
        }

        static String keys(boolean a, boolean b) {
            return (a ? "A" : "-") + (b ? "B" : "-");
        }
    }

    /** Two writers and a reader, as three actors (runs only on three or more CPUs). */
    @JCStressTest
    @Outcome(id = {"--, --, --", "A-, A-, A-", "-B, -B, -B", "AB, AB, AB"}, expect = ACCEPTABLE,
            desc = "The snapshot reads agree, and the live read sees the same keys.")
    @Outcome(id = {"--, A-, --", "--, -B, --", "--, AB, --", "A-, AB, A-", "-B, AB, -B"},
            expect = ACCEPTABLE_INTERESTING,
            desc = "The snapshot reads agree; a write linked since the snapshot is live but not in it.")
    @Outcome(id = {"--, .*, A.", "--, .*, .B", "A-, .*, .B", "-B, .*, A."}, expect = FORBIDDEN,
            desc = "A key absent from the first snapshot read appeared in the second: not repeatable.")
    @Outcome(id = {"A., .*, -.", ".B, .*, .-"}, expect = FORBIDDEN,
            desc = "A key seen by the first snapshot read vanished from the second.")
    @Outcome(expect = FORBIDDEN,
            desc = "The live read missed a key the snapshot had seen, a write failed, or a call threw.")
    @State
    public static class ThirdActorReads extends Base {

        @Actor
        public void writerA() {
            put(KEY_A);
        }

        @Actor
        public void writerB() {
            put(KEY_B);
        }

        @Actor
        public void reader(LLL_Result r) {
            read(r);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            finish(r);
        }
    }

    /**
     * Actor 1 puts {@code A}; actor 2 puts {@code B} and then reads. Its snapshot is taken after
     * its own write returned, so it sees {@code B} (read-your-writes), and {@code A} or not, for
     * good. (With the old visibility watermark, an unfinished {@code A} holding a lower sequence
     * kept even {@code B} out: {@code --, -B, --}, now forbidden.)
     */
    @JCStressTest
    @Outcome(id = {"-B, -B, -B", "AB, AB, AB"}, expect = ACCEPTABLE,
            desc = "The snapshot reads agree, and the live read sees the same keys.")
    @Outcome(id = "-B, AB, -B", expect = ACCEPTABLE_INTERESTING,
            desc = "The snapshot reads agree; A was linked after the snapshot: live but not in it.")
    @Outcome(id = "--, .*", expect = FORBIDDEN,
            desc = "The snapshot missed B, the reader's own finished write.")
    @Outcome(id = {"-B, .*, A."}, expect = FORBIDDEN,
            desc = "A key absent from the first snapshot read appeared in the second: not repeatable.")
    @Outcome(id = {"A., .*, -.", ".B, .*, .-"}, expect = FORBIDDEN,
            desc = "A key seen by the first snapshot read vanished from the second.")
    @Outcome(expect = FORBIDDEN,
            desc = "The snapshot saw A without B, the live read missed a key, a write failed, or a call threw.")
    @State
    public static class WriterReads extends Base {

        @Actor
        public void writerA() {
            put(KEY_A);
        }

        @Actor
        public void writerBThenReader(LLL_Result r) {
            put(KEY_B);
            read(r);
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            finish(r);
        }
    }

    /**
     * Actor 1 puts {@code A}; actor 2 takes its snapshot and reads it, then puts {@code B} (racing
     * {@code A} for the lower sequence and the earlier link), reads both keys live and reads the
     * snapshot again. The snapshot comes before {@code B} took its sequence, so it never sees
     * {@code B}; it sees {@code A} only if {@code A} was stamped below it (a reader that meets
     * {@code A} linked but unstamped stamps it above the snapshot), and the second snapshot read
     * repeats the first. The live read, after {@code B}'s put
     * returned, sees {@code B}, and {@code A} whenever the snapshot did.
     */
    @JCStressTest
    @Outcome(id = {"--, -B, --", "A-, AB, A-"}, expect = ACCEPTABLE,
            desc = "The snapshot reads agree; the live read adds only B, or A and B.")
    @Outcome(id = "--, AB, --", expect = ACCEPTABLE_INTERESTING,
            desc = "The snapshot reads agree; A was linked after the snapshot: live but not in it.")
    @Outcome(id = {"--, .*, A.", "A-, .*, AB"}, expect = FORBIDDEN,
            desc = "A key absent from the first snapshot read appeared in the second: not repeatable.")
    @Outcome(id = {".*, .*, .B", ".B, .*, .*"}, expect = FORBIDDEN,
            desc = "The snapshot saw B, whose put began after the snapshot was taken.")
    @Outcome(id = "A., .*, -.", expect = FORBIDDEN,
            desc = "A key seen by the first snapshot read vanished from the second.")
    @Outcome(expect = FORBIDDEN,
            desc = "The live read missed B (its own finished put) or a key the snapshot had seen, "
                    + "a write failed, or a call threw.")
    @State
    public static class ReaderWritesBetweenReads extends Base {

        @Actor
        public void writerA() {
            put(KEY_A);
        }

        @Actor
        public void readerWritesB(LLL_Result r) {
            read(r, () -> put(KEY_B));
        }

        @Arbiter
        public void arbiter(LLL_Result r) {
            finish(r);
        }
    }
}
