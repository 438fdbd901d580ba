package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.skipstore.core.internal.ReadAhead;
import org.skipstore.core.internal.SkipList;

/**
 * A movable position over the keys of a {@link ConcurrentSkipList} (or a {@link Snapshot}) in
 * unsigned key order, forwards and backwards, under the contract of {@link OrderedCursor}: it
 * starts before the first key, {@code while (c.next())} walks every key, and running off an end
 * returns false. At each key the cursor shows the newest version visible at its sequence
 * (tombstones included: {@link #isTombstone()}, with an empty {@link #value()}).
 *
 * <p>Moving forward is O(1) per key plus the key's older versions; {@link #prev()} is a search,
 * O(log n), because nodes have no back links. A cursor is for one thread; it holds no lock, and
 * writers never wait for it. Closing it (or the snapshot or memtable it came from) makes further
 * use a {@link SkipstoreException} with {@link SkipstoreException.Problem#CLOSED}; its views
 * live as long as the memtable's memory ({@link Entry}).
 */
public final class Cursor implements OrderedCursor {
    private final ConcurrentSkipList owner;
    private final SkipList sl;
    /** The snapshot's stamp counter ({@code Long.MAX_VALUE}: the newest versions): it sees stamps below it. */
    private final long v;
    private final Snapshot snapshot;
    /** The visible version the cursor stands on, or 0. */
    private long x;
    /** When {@code x} is 0: whether the cursor is after the last key (else before the first). */
    private boolean afterLast;
    /** {@link #next()} calls since the last move elsewhere: a long run reads ahead. */
    private int run;
    /** Reads level 0 ahead in lanes once a scan is long ({@link #READ_AHEAD_AFTER} steps). */
    private ReadAhead ahead;
    /** Steps of a scan before it reads ahead: a short one would waste the lanes' reads. */
    private static final int READ_AHEAD_AFTER = 16;
    private boolean closed;

    Cursor(ConcurrentSkipList owner, long v, Snapshot snapshot) {
        this.owner = owner;
        this.sl = owner.skipList();
        this.v = v;
        this.snapshot = snapshot;
    }

    private void check() {
        if (closed) {
            throw new SkipstoreException(SkipstoreException.Problem.CLOSED, "the cursor is closed");
        }
        if (snapshot != null) {
            snapshot.check();
        }
        owner.checkOpen();
    }

    /** Whether the cursor stands on a key. */
    @Override
    public boolean isValid() {
        check();
        return x != 0;
    }

    /** Moves to the first key; false when there is none. */
    @Override
    public boolean first() {
        check();
        run = 0;
        return at(visibleFrom(sl.next(sl.head(), 0)), true);
    }

    /** Moves to the last key; false when there is none. */
    @Override
    public boolean last() {
        check();
        run = 0;
        return at(visibleAtOrBefore(sl.last()), false);
    }

    /** Moves to the first key at or after {@code key}; false (after the last) when there is none. */
    @Override
    public boolean seek(byte[] key) {
        return seek(MemorySegment.ofArray(Objects.requireNonNull(key, "key")));
    }

    /** Moves to the first key at or after {@code key}; false (after the last) when there is none. */
    @Override
    public boolean seek(MemorySegment key) {
        check();
        run = 0;
        return at(visibleFrom(sl.seekKey(Args.key(key))), true);
    }

    /** Moves to the last key at or before {@code key}; false (before the first) when there is none. */
    @Override
    public boolean seekFloor(byte[] key) {
        return seekFloor(MemorySegment.ofArray(Objects.requireNonNull(key, "key")));
    }

    /** Moves to the last key at or before {@code key}; false (before the first) when there is none. */
    @Override
    public boolean seekFloor(MemorySegment key) {
        check();
        MemorySegment k = Args.key(key);
        run = 0;
        long n = visibleFrom(sl.seekKey(k));
        if (n != 0 && Keys.compare(owner.keyOf(n), k) == 0) {
            return at(n, false);
        }
        return at(visibleAtOrBefore(sl.lastBefore(k)), false);
    }

    /** {@code n} as the position; when 0, after the last key or before the first as {@code after} says. */
    private boolean at(long n, boolean after) {
        x = n;
        afterLast = after;
        return n != 0;
    }

    /** Moves to the next key (from before the first: the first); false (after the last) past the last. */
    @Override
    public boolean next() {
        check();
        if (x == 0) {
            return !afterLast && first();
        }
        if (++run == READ_AHEAD_AFTER && ahead == null) {
            ahead = new ReadAhead(sl);
        }
        long n = x;
        while (sl.hasOlder(n)) {
            n = step(n); // older versions of the same key
        }
        n = step(n);
        while (n != 0 && !sl.visible(n, v)) {
            n = step(n);
        }
        return at(n, true);
    }

    /** Moves to the previous key (from after the last: the last); false (before the first) before the first. */
    @Override
    public boolean prev() {
        check();
        if (x == 0) {
            return afterLast && last();
        }
        run = 0;
        return at(visibleAtOrBefore(sl.lastBefore(owner.keyOf(x))), false);
    }

    /** The entry the cursor stands on. */
    public Entry entry() {
        return owner.entryOf(current());
    }

    /** The key the cursor stands on, a read-only view. */
    @Override
    public MemorySegment key() {
        return owner.keyOf(current());
    }

    /** The value the cursor stands on, a read-only view (empty for a tombstone). */
    @Override
    public MemorySegment value() {
        return owner.valueOf(current());
    }

    /** A copy of the key the cursor stands on. */
    @Override
    public byte[] keyBytes() {
        return key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** A copy of the value the cursor stands on (empty for a tombstone). */
    @Override
    public byte[] valueBytes() {
        return value().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    public boolean isTombstone() {
        return sl.isTombstone(current());
    }

    /** Length of the current key; creates no object. */
    public int keyLength() {
        return sl.keyLength(current());
    }

    /** Length of the current value (0 for a tombstone); creates no object. */
    public int valueLength() {
        return sl.valueLength(current());
    }

    /** Copies the current key into {@code dst} (as much as fits) and returns its length; creates no object. */
    public int copyKey(MemorySegment dst) {
        long x = current();
        int len = sl.keyLength(x);
        MemorySegment.copy(sl.chunk(x), sl.keyOffset(x), dst, 0, Math.min(len, dst.byteSize()));
        return len;
    }

    /** Copies the current value into {@code dst} (as much as fits) and returns its length; creates no object. */
    public int copyValue(MemorySegment dst) {
        long x = current();
        int len = sl.valueLength(x);
        MemorySegment.copy(sl.chunk(x), sl.keyOffset(x) + sl.keyLength(x), dst, 0, Math.min(len, dst.byteSize()));
        return len;
    }

    private long current() {
        check();
        if (x == 0) {
            throw new NoSuchElementException("the cursor does not stand on a key");
        }
        return x;
    }

    /** The level-0 node after {@code n}: read ahead in lanes during a long scan. */
    private long step(long n) {
        return ahead != null && run >= READ_AHEAD_AFTER ? ahead.next(n) : sl.next(n, 0);
    }

    /**
     * From {@code n} on (the first node of a key's versions), the first version visible at
     * {@link #v}: a pending one is stamped first, so the answer never changes.
     */
    private long visibleFrom(long n) {
        while (n != 0 && !sl.visible(n, v)) {
            n = sl.next(n, 0);
        }
        return n;
    }

    /** The visible version of node {@code p}'s key, or of the nearest smaller key that has one. */
    private long visibleAtOrBefore(long p) {
        while (p != sl.head()) {
            MemorySegment k = owner.keyOf(p);
            long y = sl.get(k, v);
            if (y != 0) {
                return y;
            }
            p = sl.lastBefore(k);
        }
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }
}
