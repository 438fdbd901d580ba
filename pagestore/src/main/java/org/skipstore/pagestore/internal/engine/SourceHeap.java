package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.internal.KeyBytes;

/**
 * The sources of a {@link MergedCursor}, newest first, and a binary heap of those that stand on
 * an entry, ordered by (key in the heap's direction, then source index: the newer first).
 * {@code heap[0]} is the first; the direction is {@link #sign}, +1 for a min-heap by key, -1 for
 * a max-heap.
 *
 * <h2>Protocol</h2>
 * Each source in the heap has a copy of the key it stands on in a native buffer of its own
 * ({@code keys[i]}, {@code lengths[i]}) and the key's 8-byte {@link KeyBytes#prefix}
 * ({@code prefixes[i]}), made by {@link #load} when it moves. Comparisons read only these: the
 * prefixes decide unless they tie, and only then the bytes after them are compared. Copies rather
 * than the sources' views, because the memtable and store cursors copy a key without creating an
 * object ({@code copyKey}) but make one for every view; a source of another kind is read through
 * its view. A buffer grows (doubling) when a longer key comes.
 *
 * <p>A source only ever moves further in the heap's order, so {@link #advance} sifts down; it
 * moves only the root or a child of the root, whose replacement, when the source runs off its
 * end, is not before the root, so sifting down suffices there too. While the heap holds one
 * source nothing is compared, and {@link #advance} does not load its key: whoever rebuilds the
 * heap {@link #load}s every key first. For one thread.
 */
final class SourceHeap {

    /** Bytes of each key buffer at first: most keys fit. */
    private static final int KEY_BUFFER = 64;

    /** The sources, newest first. */
    final OrderedCursor[] src;
    /** {@code src[i]} as a memtable cursor, or null: the sources that can stand on a tombstone. */
    private final org.skipstore.core.Cursor[] memtables;
    /** {@code src[i]} as a store cursor, or null. */
    private final org.skipstore.pagestore.Cursor[] stores;
    private final MemorySegment[] keys;
    private final long[] lengths;
    private final long[] prefixes;
    /** Source indexes, a binary heap in {@code [0, size)}. */
    private final int[] heap;
    /** Sources in the heap. */
    int size;
    /** +1: a min-heap by key (forward); -1: a max-heap (backward). */
    int sign = 1;

    SourceHeap(List<? extends OrderedCursor> newestFirst) {
        int n = newestFirst.size();
        this.src = new OrderedCursor[n];
        this.memtables = new org.skipstore.core.Cursor[n];
        this.stores = new org.skipstore.pagestore.Cursor[n];
        this.keys = new MemorySegment[n];
        this.lengths = new long[n];
        this.prefixes = new long[n];
        this.heap = new int[n];
        // one block for all, freed by the GC with the cursor (nothing else holds it)
        MemorySegment buffers = Arena.ofAuto().allocate((long) KEY_BUFFER * Math.max(1, n));
        for (int i = 0; i < n; i++) {
            src[i] = Objects.requireNonNull(newestFirst.get(i), "source");
            memtables[i] = src[i] instanceof org.skipstore.core.Cursor m ? m : null;
            stores[i] = src[i] instanceof org.skipstore.pagestore.Cursor s ? s : null;
            keys[i] = buffers.asSlice((long) KEY_BUFFER * i, KEY_BUFFER);
        }
    }

    /** Empties the heap, to be rebuilt in direction {@code sign}. */
    void clear(int sign) {
        this.sign = sign;
        size = 0;
    }

    /** The first source in the heap's order; the heap is not empty. */
    int top() {
        return heap[0];
    }

    /** The source at heap slot {@code j}. */
    int at(int j) {
        return heap[j];
    }

    /** Whether the source on top stands on a tombstone. */
    boolean topIsTombstone() {
        org.skipstore.core.Cursor m = memtables[heap[0]];
        return m != null && m.isTombstone();
    }

    /** The loaded key of source {@code i}, a view of its buffer: valid until it is loaded again. */
    MemorySegment key(int i) {
        return keys[i].asSlice(0, lengths[i]);
    }

    /** Copies the key source {@code i} stands on into its buffer, creating no object for the kinds it knows. */
    void load(int i) {
        MemorySegment b = keys[i];
        org.skipstore.core.Cursor m = memtables[i];
        org.skipstore.pagestore.Cursor s = stores[i];
        long len;
        if (m != null) {
            len = m.copyKey(b);
        } else if (s != null) {
            len = s.copyKey(b);
        } else {
            MemorySegment k = src[i].key();
            len = k.byteSize();
            if (len <= b.byteSize()) {
                MemorySegment.copy(k, 0, b, 0, len);
            }
        }
        if (len > b.byteSize()) { // a key longer than any before: copy it again into a larger buffer
            keys[i] = Arena.ofAuto().allocate(Long.highestOneBit(len) << 1);
            load(i);
            return;
        }
        lengths[i] = len;
        prefixes[i] = KeyBytes.prefix(b, 0, len);
    }

    /** Puts source {@code i}, whose key is loaded, into the heap. */
    void add(int i) {
        int j = size++;
        while (j > 0) {
            int parent = (j - 1) >>> 1;
            if (!before(i, heap[parent])) {
                break;
            }
            heap[j] = heap[parent];
            j = parent;
        }
        heap[j] = i;
    }

    /**
     * Steps the source at heap slot {@code j} (0, 1 or 2: the root or a child of it) in the
     * heap's direction and restores the heap below {@code j}; a source that runs off its end
     * leaves the heap.
     */
    void advance(int j) {
        int i = heap[j];
        OrderedCursor c = src[i];
        if (sign > 0 ? c.next() : c.prev()) {
            if (size == 1) {
                return; // nothing to compare with (see the class comment)
            }
            load(i);
        } else {
            heap[j] = heap[--size];
            if (j == size) {
                return;
            }
        }
        siftDown(j);
    }

    private void siftDown(int j) {
        int i = heap[j];
        for (;;) {
            int child = 2 * j + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], i)) {
                break;
            }
            heap[j] = heap[child];
            j = child;
        }
        heap[j] = i;
    }

    /** Whether source {@code a} comes before source {@code b}: its key first in the direction, then the newer. */
    private boolean before(int a, int b) {
        int c = compare(a, b);
        return c != 0 ? (sign > 0 ? c < 0 : c > 0) : a < b;
    }

    /** The loaded keys of sources {@code a} and {@code b} compared ({@link org.skipstore.core.Keys#compare}'s order; only the sign counts). */
    int compare(int a, int b) {
        long pa = prefixes[a];
        long pb = prefixes[b];
        if (pa != pb) {
            return Long.compareUnsigned(pa, pb);
        }
        return KeyBytes.compareAfterPrefix(keys[a], 0, lengths[a], keys[b], 0, lengths[b]);
    }
}
