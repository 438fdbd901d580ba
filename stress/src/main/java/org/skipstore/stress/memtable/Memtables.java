package org.skipstore.stress.memtable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;

/**
 * Helpers shared by the memtable stress tests. Every test state owns a list whose arena is a
 * shared FFM arena: closing it is a thread handshake, so lists are as small as they can be (one
 * shard, a 1 KiB first chunk, which the arena zeroes) and every state closes its lists in its
 * arbiter, or memory would leak across the millions of states of a run.
 */
final class Memtables {

    private Memtables() {
    }

    /** A list with one arena shard and a 1 KiB first chunk: enough for the few nodes of a test. */
    static ConcurrentSkipList newList() {
        return ConcurrentSkipList.builder().shards(1).initialArenaBytesPerShard(1024).build();
    }

    /** The bytes of an ASCII string. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes of a segment as an ASCII string (keys and values of these tests are ASCII). */
    static String text(MemorySegment s) {
        return new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /**
     * An entry as one outcome word: {@code -} for none, {@code ~} for a tombstone, else its value.
     */
    static String valueOf(Entry e) {
        if (e == null) {
            return "-";
        }
        return e.isTombstone() ? "~" : text(e.value());
    }

    /** The outcome word for an unexpected throwable: its simple class name. */
    static String name(Throwable t) {
        return t.getClass().getSimpleName();
    }

    /** Closes a list (null: nothing to close); returns null, or the outcome word when close threw. */
    static String close(ConcurrentSkipList list) {
        if (list == null) {
            return null;
        }
        try {
            list.close();
            return null;
        } catch (Throwable t) {
            return "CLOSE_" + name(t);
        }
    }
}
