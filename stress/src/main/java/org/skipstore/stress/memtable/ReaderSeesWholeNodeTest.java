package org.skipstore.stress.memtable;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;

/**
 * Proves safe publication of nodes: a reader that finds a node sees all of it. The node's header,
 * key and value are written into arena memory before the level-0 CAS that links it (release), and
 * readers load links with acquire, so a {@code get} racing the {@code put} returns either nothing
 * or the complete entry: right key, right length, every value byte, not a tombstone.
 *
 * <p>Actor 1 puts a 12-byte key with a 40-byte value in which every byte differs (through the
 * {@link MemorySegment} overloads); actor 2 {@code get}s the key (byte[] overload) and checks every
 * byte of the entry it may get. Fields: the put's result, the reader's verdict, and the arbiter's
 * verdict on a {@code get} once both are done (which must find the complete entry).
 */
@JCStressTest
@Outcome(id = "INSERTED, ABSENT, COMPLETE", expect = ACCEPTABLE,
        desc = "The reader came before the link: no entry.")
@Outcome(id = "INSERTED, COMPLETE, COMPLETE", expect = ACCEPTABLE,
        desc = "The reader found the node and saw every byte of it.")
@Outcome(id = ".*, WRONG_KEY.*, .*", expect = FORBIDDEN, desc = "The entry found has another key: torn key or header.")
@Outcome(id = ".*, WRONG_LENGTH.*, .*", expect = FORBIDDEN, desc = "The value has another length: torn header.")
@Outcome(id = ".*, TORN_AT_.*, .*", expect = FORBIDDEN, desc = "A value byte was not (yet) written: torn value.")
@Outcome(id = ".*, TOMBSTONE, .*", expect = FORBIDDEN, desc = "The entry reads as a tombstone: torn flags.")
@Outcome(expect = FORBIDDEN, desc = "Another result, or a call threw.")
@State
public class ReaderSeesWholeNodeTest {

    static final byte[] KEY = Memtables.bytes("key-0123abcd");
    static final int VALUE_BYTES = 40;
    static final byte[] VALUE = new byte[VALUE_BYTES];

    static {
        for (int i = 0; i < VALUE_BYTES; i++) {
            VALUE[i] = (byte) (0x81 + 3 * i); // no zero byte: fresh arena memory is zero
        }
    }

    final ConcurrentSkipList list = Memtables.newList();

    @Actor
    public void writer(LLL_Result r) {
        try {
            r.r1 = list.put(MemorySegment.ofArray(KEY), MemorySegment.ofArray(VALUE)).name();
        } catch (Throwable t) {
            r.r1 = Memtables.name(t);
        }
    }

    @Actor
    public void reader(LLL_Result r) {
        try {
            r.r2 = check(list.get(KEY));
        } catch (Throwable t) {
            r.r2 = Memtables.name(t);
        }
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            r.r3 = check(list.get(KEY));
        } catch (Throwable t) {
            r.r3 = "ARBITER_" + Memtables.name(t);
        } finally {
            String failure = Memtables.close(list);
            if (failure != null) {
                r.r3 = failure;
            }
        }
    }

    /** Reads every byte of the entry out of arena memory and says what is wrong, if anything. */
    static String check(Entry e) {
        if (e == null) {
            return "ABSENT";
        }
        MemorySegment k = e.key();
        if (k.byteSize() != KEY.length
                || MemorySegment.mismatch(k, 0, KEY.length, MemorySegment.ofArray(KEY), 0, KEY.length) != -1) {
            return "WRONG_KEY";
        }
        if (e.isTombstone()) {
            return "TOMBSTONE";
        }
        MemorySegment v = e.value();
        if (v.byteSize() != VALUE_BYTES) {
            return "WRONG_LENGTH_" + v.byteSize();
        }
        for (int i = 0; i < VALUE_BYTES; i++) {
            if (v.get(ValueLayout.JAVA_BYTE, i) != VALUE[i]) {
                return "TORN_AT_" + i;
            }
        }
        return "COMPLETE";
    }
}
