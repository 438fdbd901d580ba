package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Snapshot;

/**
 * Proves that a snapshot and an iterator taken while the list is being sealed are points in time
 * like any other: they show every write made before them, the one the seal may have refused only
 * when it was not refused, and the same state on every read; the seal (which sets the seal bit on
 * the sequence counter and then advances the watermark, as the snapshot does at the same time)
 * neither hides a finished write from them nor lets a refused one in.
 *
 * <p>The state holds {@code b=1, d=2}. Actor 1 seals the list. Actor 2 puts {@code c=3}, which
 * races the seal ({@code INSERTED} before it, {@code SEALED} after), then takes a snapshot and
 * reads it as iteration and {@code get}s of {@code b c d}; then it walks {@code list.iterator()}
 * (a second view, also racing the seal) and reads the snapshot's {@code get}s again. Fields: the
 * put's result; the snapshot's read ({@code iteration/gets}); the iterator's contents, a slash,
 * the second {@code get}s; and the arbiter's flush of the frozen list: its contents ({@code key
 * value} pairs), which must be what the views showed, replaced by {@code FRESH_contents} when the
 * fresh list is not empty, or by the seal's failure.
 */
@JCStressTest
@Outcome(id = "INSERTED, b1c3d2/132, b1c3d2/132, b1c3d2", expect = ACCEPTABLE,
        desc = "The put came before the seal; both views show it and the pre-state, on every read.")
@Outcome(id = "SEALED, b1d2/1-2, b1d2/1-2, b1d2", expect = ACCEPTABLE,
        desc = "The put came after the seal and wrote nothing; both views show the pre-state.")
@Outcome(id = "SEALED, .*c3.*", expect = FORBIDDEN,
        desc = "The put reported SEALED, yet a view or the flush shows c: doubled.")
@Outcome(id = "INSERTED, .*b1d2.*", expect = FORBIDDEN,
        desc = "The put returned INSERTED before the views were taken, yet a view or the flush misses c: lost.")
@Outcome(id = "[^,]*, ([^,]*)/([^,]*), (?!\\1/\\2,)[^,]*, .*", expect = FORBIDDEN,
        desc = "The iterator or the second read of the snapshot disagrees with the first read.")
@Outcome(expect = FORBIDDEN,
        desc = "A view lost b or d, iteration and gets disagree, the fresh list is not empty, or a call threw.")
@State
public class SnapshotRacingSealTest extends Memtables.SealState {

    static final String[] KEYS = {"b", "c", "d"};

    public SnapshotRacingSealTest() {
        list.put(Memtables.bytes("b"), Memtables.bytes("1"));
        list.put(Memtables.bytes("d"), Memtables.bytes("2"));
    }

    @Actor
    public void sealer() {
        seal();
    }

    @Actor
    public void writerThenReader(LLLL_Result r) {
        try {
            r.r1 = list.put(Memtables.bytes("c"), Memtables.bytes("3")).name();
            Snapshot s = list.snapshot();
            r.r2 = Memtables.read(s, KEYS);
            r.r3 = Memtables.contents(list.iterator()) + "/" + Memtables.gets(s::get, KEYS);
        } catch (Throwable t) {
            r.r3 = "READ_" + Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLLL_Result r) {
        r.r4 = verdict(() -> flush(sealed));
    }

    /** The frozen list's contents, or {@code FRESH_contents} when the fresh list is not empty. */
    static String flush(ConcurrentSkipList.Sealed s) {
        String fresh = Memtables.contents(s.fresh().iterator());
        return fresh.equals("-") ? Memtables.contents(s.frozen().iterator()) : "FRESH_" + fresh;
    }
}
