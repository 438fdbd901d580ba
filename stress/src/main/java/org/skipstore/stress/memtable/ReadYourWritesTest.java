package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.Iterator;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Cursor;
import org.skipstore.core.Entry;

/**
 * Proves read-your-writes for snapshots: a snapshot (or an iterator, which reads from one) that
 * a thread takes after its own put returned {@code INSERTED} sees that put, whatever other
 * threads are writing meanwhile.
 *
 * <p>Actor 1 puts {@code m=1}; once the put has returned it takes three views, each after the
 * other: a snapshot it reads with {@code get(m)}; {@code list.iterator()}, which it walks until it
 * meets {@code m}; and a second snapshot whose cursor it {@code seek}s to {@code m}. Actor 2 meanwhile puts
 * four other keys, {@code a}, {@code x}, {@code b} and {@code y}, so that keys on both sides of
 * {@code m} are being linked while actor 1 reads. Fields: the three views, each {@code SEEN}
 * when it shows {@code m=1}, {@code MISSED} when it does not show {@code m} at all, or what else
 * it showed. The arbiter replaces the first field with a failed write's word.
 *
 * <p>Issue 13, finding 2: this fails on a memtable whose snapshot sequence is the visibility
 * watermark alone. If actor 2 took a lower sequence than actor 1's put and is still linking when
 * actor 1 takes its snapshot, the watermark stays below that sequence, and so below actor 1's:
 * the snapshot excludes the caller's own finished write.
 */
@JCStressTest
@Outcome(id = "SEEN, SEEN, SEEN", expect = ACCEPTABLE, desc = "Every view taken after the put shows it.")
@Outcome(id = ".*MISSED.*", expect = FORBIDDEN,
        desc = "A view taken after the caller's own put returned INSERTED does not show it: "
                + "read-your-writes broken (issue 13 finding 2).")
@Outcome(expect = FORBIDDEN,
        desc = "A view showed m with another value, a write failed, or a call threw.")
@State
public class ReadYourWritesTest {

    static final byte[] KEY = Memtables.bytes("m");
    static final String[] OTHER_KEYS = {"a", "x", "b", "y"};

    final ConcurrentSkipList list = Memtables.newList();
    volatile String otherFailure;

    @Actor
    public void writerThenReader(LLL_Result r) {
        try {
            String put = list.put(KEY, Memtables.bytes("1")).name();
            if (!put.equals("INSERTED")) {
                r.r1 = "PUT_" + put;
                return;
            }
            r.r1 = seen(list.snapshot().get(KEY));
            r.r2 = seen(find(list.iterator()));
            Cursor c = list.snapshot().cursor();
            r.r3 = seen(c.seek(KEY) && Memtables.text(c.key()).equals("m") ? c.entry() : null);
        } catch (Throwable t) {
            r.r3 = "READ_" + Memtables.name(t);
        }
    }

    @Actor
    public void otherWriter() {
        try {
            for (String k : OTHER_KEYS) {
                String put = list.put(Memtables.bytes(k), Memtables.bytes("2")).name();
                if (!put.equals("INSERTED")) {
                    otherFailure = "OTHER_" + put;
                    return;
                }
            }
        } catch (Throwable t) {
            otherFailure = "OTHER_" + Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        if (otherFailure != null) {
            r.r1 = otherFailure;
        }
        String failure = Memtables.close(list);
        if (failure != null) {
            r.r1 = failure;
        }
    }

    /** The entry of {@code m} that the iteration met, or null. */
    static Entry find(Iterator<Entry> it) {
        while (it.hasNext()) {
            Entry e = it.next();
            if (Memtables.text(e.key()).equals("m")) {
                return e;
            }
        }
        return null;
    }

    static String seen(Entry e) {
        if (e == null) {
            return "MISSED";
        }
        String v = Memtables.valueOf(e);
        return v.equals("1") ? "SEEN" : "VALUE_" + v;
    }
}
