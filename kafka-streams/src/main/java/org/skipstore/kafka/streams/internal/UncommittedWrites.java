package org.skipstore.kafka.streams.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.kafka.common.utils.Bytes;

/**
 * A store's writes since its last commit, on the heap: the newest value of each key written, or a
 * deletion. The store's reads look here first, so the stream thread reads its own writes; a
 * commit hands them to the engine ({@link #forEach}) and {@link #clear}s them; a close without a
 * commit drops them. Ordered by {@link Bytes}' own order (unsigned bytes), which is the engine's.
 * Not thread-safe: the store calls it under its lock.
 *
 * <p>Kept in a hash map: the stream thread's reads and writes are point reads and writes (an
 * aggregation reads, then writes, each key it processes), and a tree's search costs about a
 * dozen key comparisons, each a cache miss once the buffer is large. The order is made when it
 * is first needed: a commit sorts the keys it writes, and the first iterator builds a
 * {@link TreeMap} that later writes then keep up to date until the commit, so that a topology
 * that scans as it writes pays the tree only once per commit.
 *
 * <p>A deletion is kept as {@link #DELETED}, one shared array compared by identity, so a read can
 * tell "deleted since the commit" (answer: absent) from "not written" (ask the engine).
 */
public final class UncommittedWrites {

    /**
     * Heap bytes an entry costs besides its key and value, roughly: the hash map's node and
     * table slot, its {@link Slot}, the {@code Bytes} and two array headers (a tree node more once
     * ordered). Counted so that many small writes also prompt a commit.
     */
    static final int ENTRY_OVERHEAD = 112;

    private static final byte[] DELETED = new byte[0];

    /** A key written since the commit, its newest value, and the sort's window of it ({@link #forEach}). */
    private static final class Slot {
        final Bytes key;
        byte[] value;
        long window;

        Slot(Bytes key, byte[] value) {
            this.key = key;
            this.value = value;
        }
    }

    private final HashMap<Bytes, Slot> writes = new HashMap<>();
    /**
     * The same slots, in the order of their first write: what a commit sorts and walks. A walk of
     * the hash map would visit its table, and each node a cache miss; these lie as they were
     * made, side by side.
     */
    private final ArrayList<Slot> slots = new ArrayList<>();
    /** The writes in key order, once an iterator asked for it; null until then and after a clear. */
    private TreeMap<Bytes, byte[]> ordered;
    private long bytes;

    /** Whether {@code value} (from {@link #get} or {@link #copy}) is a deletion. */
    public static boolean isDeletion(byte[] value) {
        return value == DELETED;
    }

    /** Records {@code value} for {@code key}; a null value records a deletion. */
    public void put(Bytes key, byte[] value) {
        byte[] v = value == null ? DELETED : value;
        Slot fresh = new Slot(key, v);
        Slot s = writes.putIfAbsent(key, fresh);
        if (s == null) {
            slots.add(fresh);
            bytes += key.get().length + ENTRY_OVERHEAD + v.length;
        } else {
            bytes += v.length - s.value.length;
            s.value = v;
        }
        if (ordered != null) {
            ordered.put(key, v);
        }
    }

    /** The value written for {@code key} since the commit, {@link #isDeletion a deletion}, or null when none was. */
    public byte[] get(Bytes key) {
        Slot s = writes.get(key);
        return s == null ? null : s.value;
    }

    public boolean isEmpty() {
        return slots.isEmpty();
    }

    public int size() {
        return slots.size();
    }

    /** About what the writes take on the heap: keys, values and {@link #ENTRY_OVERHEAD} each. */
    public long approximateBytes() {
        return bytes;
    }

    /**
     * A copy of the writes between {@code from} and {@code to} (each null for no bound; {@code to}
     * included when {@code toInclusive}), in key order or reversed: the buffer's part of an
     * iterator's snapshot, unaffected by later writes. Requires {@code from <= to}.
     */
    public List<Map.Entry<Bytes, byte[]>> copy(Bytes from, Bytes to, boolean toInclusive, boolean reverse) {
        if (ordered == null) {
            ordered = new TreeMap<>();
            for (Slot s : slots) {
                ordered.put(s.key, s.value);
            }
        }
        NavigableMap<Bytes, byte[]> m = ordered;
        if (from != null && to != null) {
            m = m.subMap(from, true, to, toInclusive);
        } else if (from != null) {
            m = m.tailMap(from, true);
        } else if (to != null) {
            m = m.headMap(to, toInclusive);
        }
        if (reverse) {
            m = m.descendingMap();
        }
        List<Map.Entry<Bytes, byte[]>> out = new ArrayList<>(m.size());
        for (Map.Entry<Bytes, byte[]> e : m.entrySet()) {
            out.add(Map.entry(e.getKey(), e.getValue())); // the tree's own entries change with later puts
        }
        return out;
    }

    /**
     * Each write in key order: {@code action(key, value)}, the value null for a deletion. In
     * order because the engine's memtable links a run of ascending keys faster than keys in
     * hash order (each search starts where the last one ended).
     */
    public void forEach(BiConsumer<Bytes, byte[]> action) {
        if (ordered != null) {
            ordered.forEach((k, v) -> action.accept(k, v == DELETED ? null : v));
            return;
        }
        sortSlots();
        for (Slot s : slots) {
            action.accept(s.key, s.value == DELETED ? null : s.value);
        }
    }

    /**
     * Puts the slots in key order. Keys often share their first bytes ("customer-"), so each is
     * sorted by the 8 bytes after the prefix they all share, read once as a big-endian number (a
     * comparison of two longs), and only keys equal in those by their whole arrays: a commit sorts
     * thousands of keys, a restore tens of thousands.
     */
    private void sortSlots() {
        int shared = Integer.MAX_VALUE;
        byte[] first = null;
        for (Slot s : slots) {
            byte[] a = s.key.get();
            if (first == null) {
                first = a;
                shared = a.length;
            } else {
                int m = Arrays.mismatch(first, 0, shared, a, 0, Math.min(shared, a.length));
                shared = m < 0 ? Math.min(shared, a.length) : m;
            }
        }
        for (Slot s : slots) {
            s.window = window(s.key.get(), shared);
        }
        slots.sort((a, b) -> a.window != b.window ? Long.compareUnsigned(a.window, b.window)
                : Arrays.compareUnsigned(a.key.get(), b.key.get()));
    }

    /** Bytes {@code from} to {@code from + 8} of {@code key}, big-endian, zero-padded past its end. */
    private static long window(byte[] key, int from) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            int at = from + i;
            w = (w << 8) | (at < key.length ? key[at] & 0xFF : 0);
        }
        return w;
    }

    public void clear() {
        writes.clear();
        slots.clear();
        ordered = null;
        bytes = 0;
    }
}
