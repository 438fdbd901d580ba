package org.skipstore.pagestore.internal.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BooleanSupplier;
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
 * The sources that stand on an entry are kept in a {@link SourceHeap}, ordered by key in the
 * cursor's direction and then by age, the newer first. On an entry (a non-empty heap) these
 * invariants hold:
 * <ol>
 *   <li>the heap's top, the <em>winner</em>, stands on the current key K, and no other source
 *       stands on K: each one in the heap stands strictly beyond K in the direction (forward: on
 *       its first key above K; backward: on its last key below K), and each one not in the heap
 *       has nothing beyond K in the direction;</li>
 *   <li>the winner's entry is not a tombstone.</li>
 * </ol>
 * Off an entry the heap is empty and {@code afterLast} says which end.
 *
 * <p><b>A step in the direction</b> ({@link #next()} forward, {@link #prev()} backward) moves the
 * winner alone (1. says every other source is beyond K already); then {@link #settle()} restores
 * the invariants for the new top key K': every other source on K' is shadowed, so it steps past
 * K' (those on K' form a subtree under the root, so while any is left one of the root's two
 * children holds K'); when the winner is a tombstone it steps too, which hides K' altogether, and
 * the loop goes on with the next key.
 *
 * <p><b>A step against the direction</b> (a switch, as LevelDB's DBIter and RocksDB's merging
 * iterator make it) first repositions every source but the winner relative to K, since where
 * they stand (beyond K the other way) says nothing about what lies before K: to go forward each
 * one seeks its ceiling of K, to go backward its floor, and steps once more when it lands on K;
 * the heap is rebuilt in the new order, with the winner, still on K, on top. Invariant 1. then
 * holds in the new direction and the step is an ordinary one. {@link #first()}, {@link #last()},
 * {@link #seek} and {@link #seekFloor} position every source, rebuild the heap and settle the same
 * way.
 *
 * <p>A step costs one source move, the copy of its new key and about log2(sources) comparisons of
 * 8-byte prefixes ({@link SourceHeap}), and one or two more to find shadowed keys; it creates no
 * object. While one source is left in the heap a step is that source's own move and nothing else.
 * {@link #key()} and {@link #value()} are the winner's views, valid until this cursor moves. When
 * a source throws (e.g. {@link Problem#CLOSED} because what it reads was closed), the exception
 * passes through unchanged and this cursor is left before the first entry. Closing closes every
 * source, even when one of them throws. For one thread.
 */
public final class MergedCursor implements OrderedCursor {

    private static final int FIRST = 0;
    private static final int LAST = 1;
    private static final int CEILING = 2;
    private static final int FLOOR = 3;

    /** The sources, owned, and the order of those on an entry. */
    private final SourceHeap h;
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

    /**
     * A cursor over {@code newestFirst}, before the first entry. It owns them: {@link #close()}
     * closes them. A memtable source ({@link org.skipstore.core.Cursor}) may stand on tombstones;
     * any other kind of source is taken to hold none.
     */
    public MergedCursor(List<? extends OrderedCursor> newestFirst) {
        this(newestFirst, () -> true);
    }

    /** As {@link #MergedCursor(List)}, and every call throws {@link Problem#CLOSED} once {@code open} says false. */
    public MergedCursor(List<? extends OrderedCursor> newestFirst, BooleanSupplier open) {
        this.open = Objects.requireNonNull(open, "open");
        this.h = new SourceHeap(newestFirst);
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
        if (h.size == 0) {
            return !afterLast && first();
        }
        return step(1);
    }

    @Override
    public boolean prev() {
        check();
        if (h.size == 0) {
            return afterLast && last();
        }
        return step(-1);
    }

    @Override
    public boolean isValid() {
        check();
        return h.size > 0;
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
        h.size = 0;
        Throwable failure = null;
        for (OrderedCursor c : h.src) {
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

    /** Positions every source ({@code how}: FIRST, LAST, CEILING or FLOOR of {@code key}) and settles. */
    private boolean position(int how, MemorySegment key) {
        check();
        h.clear(how == FIRST || how == CEILING ? 1 : -1);
        afterLast = false;
        try {
            for (int i = 0; i < h.src.length; i++) {
                OrderedCursor c = h.src[i];
                boolean on = switch (how) {
                    case FIRST -> c.first();
                    case LAST -> c.last();
                    case CEILING -> c.seek(key);
                    default -> c.seekFloor(key);
                };
                if (on) {
                    h.load(i);
                    h.add(i);
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
            if (dir != h.sign) {
                turn();
            }
            h.advance(0);
            return settle();
        } catch (RuntimeException | Error e) {
            lost();
            throw e;
        }
    }

    /**
     * Reverses the direction on the current key K: every source but the winner goes to its
     * first entry strictly beyond K in the new direction, and the heap is rebuilt with the winner,
     * still on K, on top.
     */
    private void turn() {
        int w = h.top();
        h.load(w); // its copy is stale when it was alone; the winner does not move here, so it stays
        MemorySegment k = h.key(w);
        h.clear(-h.sign);
        h.add(w);
        for (int i = 0; i < h.src.length; i++) {
            if (i == w) {
                continue;
            }
            OrderedCursor c = h.src[i];
            if (!(h.sign > 0 ? c.seek(k) : c.seekFloor(k))) {
                continue;
            }
            h.load(i);
            if (h.compare(i, w) == 0) {
                if (!(h.sign > 0 ? c.next() : c.prev())) {
                    continue;
                }
                h.load(i);
            }
            h.add(i);
        }
    }

    /**
     * Restores the invariants for the top's key: sources shadowed on it step past it, and a
     * tombstone on top steps past it too (the key is hidden), until the top is a live entry or the
     * heap is empty.
     */
    private boolean settle() {
        while (h.size > 0) {
            int w = h.top();
            for (;;) {
                if (h.size > 1 && h.compare(h.at(1), w) == 0) {
                    h.advance(1);
                } else if (h.size > 2 && h.compare(h.at(2), w) == 0) {
                    h.advance(2);
                } else {
                    break;
                }
            }
            if (!h.topIsTombstone()) {
                return true;
            }
            h.advance(0);
        }
        afterLast = h.sign > 0;
        return false;
    }

    /** After a source threw: off an entry (before the first), as no invariant can be trusted. */
    private void lost() {
        h.size = 0;
        afterLast = false;
    }

    private OrderedCursor winner() {
        check();
        if (h.size == 0) {
            throw new NoSuchElementException("the cursor is not on an entry");
        }
        return h.src[h.top()];
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
