package org.skipstore.stress.memtable;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.function.Function;
import java.util.function.Supplier;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.Entry;
import org.skipstore.core.Snapshot;
import org.skipstore.core.internal.SkipList;

/**
 * Helpers shared by the memtable stress tests. Every test state owns a list whose arena is a
 * shared FFM arena: closing it is a thread handshake, so lists are as small as they can be (one
 * shard, a 1 KiB first chunk, which the arena zeroes) and every state closes its lists in its
 * arbiter, or memory would leak across the millions of states of a run.
 */
final class Memtables {

    /**
     * {@code ConcurrentSkipList.skipList()} and {@code entryOf(long)}, which are package-private:
     * the suite runs on the class path, where every package is open, so a private lookup reaches
     * them.
     */
    private static final MethodHandle SKIP_LIST;
    private static final MethodHandle ENTRY_OF;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(ConcurrentSkipList.class, MethodHandles.lookup());
            SKIP_LIST = l.findVirtual(ConcurrentSkipList.class, "skipList", MethodType.methodType(SkipList.class));
            ENTRY_OF = l.findVirtual(ConcurrentSkipList.class, "entryOf", MethodType.methodType(Entry.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Memtables() {
    }

    /** One version of a key as a test saw it: its value ({@link #valueOf}) and its sequence. */
    record Version(String value, long sequence) {
        /** The version of an entry; null for none. */
        static Version of(Entry e) {
            return e == null ? null : new Version(valueOf(e), e.sequence());
        }

        /** As part of an outcome word: {@code value@sequence}. */
        @Override
        public String toString() {
            return value + "@" + sequence;
        }
    }

    /**
     * The version that the calling thread's last successful write to {@code list} linked, as the
     * write itself reports it (its thread's {@link SkipList.Splice#found}, the node it linked):
     * a writer's own version even when a newer one of the key already hides it from every read.
     * Null when the thread's last write linked nothing.
     */
    static Version lastWritten(ConcurrentSkipList list) {
        try {
            long x = ((SkipList) SKIP_LIST.invokeExact(list)).splice().found;
            return x == 0 ? null : Version.of((Entry) ENTRY_OF.invokeExact(list, x));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * A list with one arena shard and a 1 KiB first chunk: enough for the few nodes of a test. It
     * expects keys that start with "k" ({@code sharedKeyPrefix}, as the engine's memtables learn
     * one), so that the tests' keys take every kind of window the list compares by: "k1" after
     * the prefix, "k" none after it, "a" below it, "z" above it.
     */
    static ConcurrentSkipList newList() {
        return ConcurrentSkipList.builder().shards(1).initialArenaBytesPerShard(1024).sharedKeyPrefix(bytes("k")).build();
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

    /**
     * An iteration as one outcome word: each entry's key and {@link #valueOf value}, in the order
     * met ({@code b1d2f~}), or {@code -} when there is none.
     */
    static String contents(Iterator<Entry> it) {
        StringBuilder sb = new StringBuilder();
        while (it.hasNext()) {
            Entry e = it.next();
            sb.append(text(e.key())).append(valueOf(e));
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /** Point reads as one outcome word: {@link #valueOf} of each key's {@code get}, in order. */
    static String gets(Function<byte[], Entry> get, String... keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(valueOf(get.apply(bytes(k))));
        }
        return sb.toString();
    }

    /**
     * A snapshot read both ways, as one outcome word: its iteration ({@link #contents}), a slash,
     * and a {@code get} of each key ({@link #gets}); {@code READ_} and the exception's name when a
     * call threw. Both halves must describe the same state.
     */
    static String read(Snapshot s, String... keys) {
        try {
            return contents(s.iterator()) + "/" + gets(s::get, keys);
        } catch (Throwable t) {
            return "READ_" + name(t);
        }
    }

    /** The outcome word for an unexpected throwable: its simple class name. */
    static String name(Throwable t) {
        return t.getClass().getSimpleName();
    }

    /**
     * State of the tests that seal their list: the list, and once an actor has sealed it the pair
     * {@code seal()} returned, or the seal's failure. The tests' states extend it.
     */
    abstract static class SealState {
        final ConcurrentSkipList list = newList();
        volatile ConcurrentSkipList.Sealed sealed;
        volatile String sealFailure;

        /** Seals the list and publishes the pair; null when {@code seal()} threw ({@link #sealFailure} says what). */
        ConcurrentSkipList.Sealed seal() {
            try {
                ConcurrentSkipList.Sealed s = list.seal();
                sealed = s;
                return s;
            } catch (Throwable t) {
                sealFailure = "SEAL_" + name(t);
                return null;
            }
        }

        /**
         * The arbiter's field, after which both lists are closed: what went wrong with the seal,
         * else {@code check}'s verdict ({@code ARBITER_} and the exception's name when it threw);
         * a failed close's word replaces either.
         */
        String verdict(Supplier<String> check) {
            String verdict;
            try {
                String problem = sealProblem();
                verdict = problem != null ? problem : check.get();
            } catch (Throwable t) {
                verdict = "ARBITER_" + name(t);
            }
            String failure = close(list);
            ConcurrentSkipList.Sealed s = sealed;
            String freshFailure = s == null ? null : close(s.fresh());
            return failure != null ? failure : freshFailure != null ? freshFailure : verdict;
        }

        /** Null when the list was sealed into itself as the frozen list; else the outcome word of what went wrong. */
        private String sealProblem() {
            ConcurrentSkipList.Sealed s = sealed;
            if (sealFailure != null) {
                return sealFailure;
            }
            if (s == null) {
                return "NOT_SEALED";
            }
            return s.frozen() == list ? null : "FROZEN_IS_ANOTHER_LIST";
        }
    }

    /**
     * An arbiter's verdict: {@code verdict}'s outcome word, or {@code ARBITER_} and what it threw;
     * then closes {@code list}, whose failure to close replaces the verdict.
     */
    static String verdict(ConcurrentSkipList list, java.util.function.Supplier<String> verdict) {
        String v;
        try {
            v = verdict.get();
        } catch (Throwable t) {
            v = "ARBITER_" + name(t);
        }
        String failure = close(list);
        return failure != null ? failure : v;
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
