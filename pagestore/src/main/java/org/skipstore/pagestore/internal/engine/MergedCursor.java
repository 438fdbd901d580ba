package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.skipstore.core.Keys;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * One ordered view over several sorted sources, newest first (the active memtable, the
 * immutable ones, the page store), under the contract of every Skipstore cursor
 * ({@link OrderedCursor}). For each key the entry shown is the newest source's; when that one is
 * a tombstone (a memtable {@link org.skipstore.core.Cursor} on an entry whose
 * {@link org.skipstore.core.Cursor#isTombstone()} holds), the key is absent.
 *
 * <h2>Protocol</h2>
 * The sources that stand on an entry are kept in a binary heap of source indexes, ordered by
 * (key in the cursor's direction, then source index: the newer first), with each source's key
 * view cached beside it ({@code keys}), so comparing reads no source and copies nothing. The
 * direction is {@code sign}: +1 forward (a min-heap), -1 backward (a max-heap). On an entry
 * ({@code size > 0}) these invariants hold:
 * <ol>
 *   <li>{@code heap[0]}, the <em>winner</em>, stands on the current key K, and no other
 *       source stands on K: each one in the heap stands strictly beyond K in the direction
 *       (forward: its first key above K; backward: its last key below K), and each one not in
 *       the heap has nothing beyond K in the direction;</li>
 *   <li>the winner's entry is not a tombstone.</li>
 * </ol>
 * Off an entry the heap is empty and {@code afterLast} says which end.
 *
 * <p><b>A step in the direction</b> ({@link #next()} forward, {@link #prev()} backward) moves the
 * winner alone (1. says every other source is beyond K already) and sifts it down; then
 * {@link #settle()} restores the invariants for the new top key K': every other source on K' is
 * shadowed, so it steps past K' (they form a subtree of equal keys under the root, so one of the
 * root's two children holds K' while any does); when the winner is a tombstone it steps too, which
 * hides K' altogether, and the loop goes on with the next key.
 *
 * <p><b>A step against the direction</b> (a switch, as LevelDB's DBIter and RocksDB's merging
 * iterator make it) first repositions every source but the winner relative to K, since where
 * they stand (beyond K the other way) says nothing about what lies before K: forward each one
 * seeks its ceiling of K, backward its floor, and steps once more when it lands on K; the heap is
 * rebuilt in the new order, with the winner, still on K, at its root. Invariant 1. then holds in
 * the new direction and the step is an ordinary one. {@link #first()}, {@link #last()},
 * {@link #seek} and {@link #seekFloor} position every source and settle the same way.
 *
 * <p>A step costs one source move, about log2(sources) key comparisons (equal prefixes are read
 * once by {@link MemorySegment#mismatch}) and one comparison for shadowed keys; it allocates
 * nothing itself (the sources' {@code key()} views are theirs). {@link #key()} and
 * {@link #value()} are the winner's views, valid until this cursor moves. When a source throws
 * (e.g. {@link Problem#CLOSED} because what it reads was closed), the exception passes through
 * unchanged and this cursor is left before the first entry. Closing closes every source, even
 * when one of them throws. For one thread.
 */
public final class MergedCursor implements OrderedCursor {

    /** The sources, newest first; owned. */
    private final OrderedCursor[] src;
    /** {@code src[i]} as a memtable cursor, or null: the sources that can stand on a tombstone. */
    private final org.skipstore.core.Cursor[] tombstones;
    /** The key view {@code src[i]} stands on while it is in the heap. */
    private final MemorySegment[] keys;
    /** Source indexes; {@code heap[0]} is the winner (see the class comment). */
    private final int[] heap;
    private int size;
    /** +1 forward (a min-heap by key), -1 backward (a max-heap). */
    private int sign = 1;
    /** Off an entry: after the last (else before the first). */
    private boolean afterLast;
    private boolean closed;
    /**
     * Whether what the cursor reads is still open (the engine's view): checked by every call, since
     * the sources a view holds stay readable after the view or the database closed, and a call
     * that reads no source (a step past either end) would not notice.
     */
    private final BooleanSupplier open;
    /** A native copy of a {@code byte[]} seek key, so that no source reads a heap segment; grown as needed. */
    private MemorySegment keyBuffer;

    /** A cursor over {@code newestFirst}, before the first entry; it owns them: {@link #close()} closes them. */
    public MergedCursor(List<? extends OrderedCursor> newestFirst) {
        this(newestFirst, () -> true);
    }

    /** As {@link #MergedCursor(List)}, and every call throws {@link Problem#CLOSED} once {@code open} says false. */
    public MergedCursor(List<? extends OrderedCursor> newestFirst, BooleanSupplier open) {
        this.open = Objects.requireNonNull(open, "open");
        int n = newestFirst.size();
        this.src = new OrderedCursor[n];
        this.tombstones = new org.skipstore.core.Cursor[n];
        for (int i = 0; i < n; i++) {
            src[i] = Objects.requireNonNull(newestFirst.get(i), "source");
            tombstones[i] = src[i] instanceof org.skipstore.core.Cursor m ? m : null;
        }
        this.keys = new MemorySegment[n];
        this.heap = new int[n];
    }

    @Override
    public boolean first() {
        return position(FIRST, null);
    }

    @Override
    public boolean last() {
        return position(LAST, null);
    }

    @Override
    public boolean seek(MemorySegment key) {
        return position(CEILING, Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean seek(byte[] key) {
        return position(CEILING, nativeKey(key));
    }

    @Override
    public boolean seekFloor(MemorySegment key) {
        return position(FLOOR, Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean seekFloor(byte[] key) {
        return position(FLOOR, nativeKey(key));
    }

    @Override
    public boolean next() {
        check();
        if (size == 0) {
            return !afterLast && first();
        }
        return step(1);
    }

    @Override
    public boolean prev() {
        check();
        if (size == 0) {
            return afterLast && last();
        }
        return step(-1);
    }

    @Override
    public boolean isValid() {
        check();
        return size > 0;
    }

    /** The winner's key, a read-only view valid until this cursor moves. */
    @Override
    public MemorySegment key() {
        return winner().key();
    }

    /** The winner's value, a read-only view valid until this cursor moves. */
    @Override
    public MemorySegment value() {
        return winner().value();
    }

    @Override
    public byte[] keyBytes() {
        return winner().keyBytes();
    }

    @Override
    public byte[] valueBytes() {
        return winner().valueBytes();
    }

    /** Closes every source, each even when an earlier one throws; the first failure is thrown, the others suppressed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        size = 0;
        Throwable failure = null;
        for (OrderedCursor c : src) {
            try {
                c.close();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw (RuntimeException) failure;
        }
    }

    private static final int FIRST = 0;
    private static final int LAST = 1;
    private static final int CEILING = 2;
    private static final int FLOOR = 3;

    /** Positions every source ({@code how}: FIRST, LAST, CEILING or FLOOR of {@code key}) and settles. */
    private boolean position(int how, MemorySegment key) {
        check();
        size = 0;
        afterLast = false;
        try {
            sign = how == FIRST || how == CEILING ? 1 : -1;
            for (int i = 0; i < src.length; i++) {
                OrderedCursor c = src[i];
                boolean on = switch (how) {
                    case FIRST -> c.first();
                    case LAST -> c.last();
                    case CEILING -> c.seek(key);
                    default -> c.seekFloor(key);
                };
                if (on) {
                    add(i);
                }
            }
            return settle();
        } catch (RuntimeException | Error e) {
            lost();
            throw e;
        }
    }

    /** A step to the next key in direction {@code dir}, switching first when it is not the heap's. */
    private boolean step(int dir) {
        try {
            if (dir != sign) {
                turn();
            }
            advance(0);
            return settle();
        } catch (RuntimeException | Error e) {
            lost();
            throw e;
        }
    }

    /**
     * Reverses the direction on the current key K: every source but the winner goes to the
     * first entry strictly beyond K in the new direction, and the heap is rebuilt with the winner,
     * still on K, at its root.
     */
    private void turn() {
        int w = heap[0];
        MemorySegment k = keys[w]; // the winner does not move here, so its view stays valid
        sign = -sign;
        size = 0;
        add(w);
        for (int i = 0; i < src.length; i++) {
            if (i == w) {
                continue;
            }
            OrderedCursor c = src[i];
            boolean on = sign > 0 ? c.seek(k) : c.seekFloor(k);
            if (on && Keys.compare(c.key(), k) == 0) {
                on = sign > 0 ? c.next() : c.prev();
            }
            if (on) {
                add(i);
            }
        }
    }

    /**
     * Restores the invariants for the root's key: sources shadowed on it step past it, and a
     * tombstone at the root steps past it too (the key is hidden), until the root is a live entry
     * or the heap is empty.
     */
    private boolean settle() {
        while (size > 0) {
            int w = heap[0];
            MemorySegment k = keys[w];
            // any other source on k is a child of the root while one is (equal keys form a subtree)
            for (;;) {
                if (size > 1 && Keys.compare(keys[heap[1]], k) == 0) {
                    advance(1);
                } else if (size > 2 && Keys.compare(keys[heap[2]], k) == 0) {
                    advance(2);
                } else {
                    break;
                }
            }
            org.skipstore.core.Cursor m = tombstones[w];
            if (m == null || !m.isTombstone()) {
                return true;
            }
            advance(0);
        }
        afterLast = sign > 0;
        return false;
    }

    /**
     * Steps the source at heap slot {@code j} (0, 1 or 2: the root or a child of it) in the
     * direction and restores the heap below {@code j}; a source that runs off its end leaves the
     * heap. Sifting down suffices: the source only moves further in the heap's order, and the
     * element that replaces a leaving one is not before the root.
     */
    private void advance(int j) {
        int i = heap[j];
        OrderedCursor c = src[i];
        if (sign > 0 ? c.next() : c.prev()) {
            keys[i] = c.key();
        } else {
            keys[i] = null;
            heap[j] = heap[--size];
            if (j == size) {
                return;
            }
        }
        siftDown(j);
    }

    /** Puts source {@code i}, which stands on an entry, into the heap. */
    private void add(int i) {
        keys[i] = src[i].key();
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
        int c = Keys.compare(keys[a], keys[b]) * sign;
        return c < 0 || (c == 0 && a < b);
    }

    /** After a source threw: off an entry (before the first), as no invariant can be trusted. */
    private void lost() {
        size = 0;
        afterLast = false;
    }

    private OrderedCursor winner() {
        check();
        if (size == 0) {
            throw new NoSuchElementException("the cursor is not on an entry");
        }
        return src[heap[0]];
    }

    private MemorySegment nativeKey(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (keyBuffer == null || keyBuffer.byteSize() < key.length) {
            keyBuffer = Arena.ofAuto().allocate(Math.max(64, Long.highestOneBit(key.length) << 1));
        }
        MemorySegment k = keyBuffer.asSlice(0, key.length);
        MemorySegment.copy(key, 0, k, ValueLayout.JAVA_BYTE, 0, key.length);
        return k;
    }

    private void check() {
        if (closed) {
            throw new SkipstoreException(Problem.CLOSED, "the cursor is closed");
        }
        if (!open.getAsBoolean()) {
            throw new SkipstoreException(Problem.CLOSED, "what the cursor reads is closed");
        }
    }
}
