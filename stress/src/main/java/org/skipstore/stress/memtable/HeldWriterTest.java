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
import org.skipstore.core.Snapshot;
import org.skipstore.core.internal.WriteHook;

/**
 * Proves that a writer held inside its write, linked but not yet given its sequence (as a
 * preempted thread would be), stops no other writer and hides no other write: the other actor's
 * put returns, its own snapshot sees it, and that snapshot decides the held version once (two
 * reads agree).
 *
 * <p>Actor 1 puts {@code h}; a test hook ({@link WriteHook}, installed for this class) holds it at
 * {@link WriteHook#LINKED} until actor 2 is done (a bounded spin: a run where actor 2 came first
 * does not wait at all). Actor 2 puts {@code o}, takes a snapshot, reads {@code o} and then
 * {@code h} twice, and lets actor 1 go. Fields: actor 2's put and read of its own key
 * ({@code OWN} or {@code MISSED}), its two reads of {@code h} ({@code SAME_h} when both saw
 * it, {@code SAME_-} when neither did, {@code CHANGED} otherwise), and the arbiter's final check
 * that both puts landed ({@code BOTH}).
 */
@JCStressTest
@Outcome(id = {"OWN, SAME_h, BOTH", "OWN, SAME_-, BOTH"}, expect = ACCEPTABLE,
        desc = "Actor 2 saw its own write; the held version was in or out of its snapshot, for good.")
@Outcome(id = "MISSED, .*", expect = FORBIDDEN, desc = "A snapshot missed the caller's own finished write.")
@Outcome(id = ".*, CHANGED, .*", expect = FORBIDDEN, desc = "The snapshot's answer for the held key changed.")
@Outcome(expect = FORBIDDEN, desc = "A write was lost or refused, or a call threw.")
@State
public class HeldWriterTest {

    static final byte[] HELD = Memtables.bytes("h");
    static final byte[] OTHER = Memtables.bytes("o");
    /** The state whose actor 1 is writing on this thread, for the hook. */
    static final ThreadLocal<HeldWriterTest> WRITING = new ThreadLocal<>();

    static {
        WriteHook.install(point -> {
            HeldWriterTest t = WRITING.get();
            if (t != null && point == WriteHook.LINKED) {
                for (int i = 0; i < 1 << 20 && !t.released; i++) {
                    Thread.onSpinWait();
                }
            }
        });
    }

    final ConcurrentSkipList list = Memtables.newList();
    volatile boolean released;
    String put1;

    @Actor
    public void actor1() {
        WRITING.set(this);
        try {
            put1 = list.put(HELD, Memtables.bytes("h")).name();
        } catch (Throwable t) {
            put1 = Memtables.name(t);
        } finally {
            WRITING.remove();
        }
    }

    @Actor
    public void actor2(LLL_Result r) {
        try {
            String put = list.put(OTHER, Memtables.bytes("o")).name();
            try (Snapshot snap = list.snapshot()) {
                r.r1 = put.equals("INSERTED") && snap.get(OTHER) != null ? "OWN" : "MISSED";
                String first = Memtables.valueOf(snap.get(HELD));
                String second = Memtables.valueOf(snap.get(HELD));
                r.r2 = first.equals(second) ? "SAME_" + first : "CHANGED";
            }
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        } finally {
            released = true;
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        r.r3 = Memtables.verdict(list, () ->
                "INSERTED".equals(put1) && list.get(HELD) != null && list.get(OTHER) != null ? "BOTH" : "LOST_" + put1);
    }
}
