package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A point-in-time view of a {@link ConcurrentSkipList}: it sees, for each key, the newest version
 * whose sequence is at most {@link #sequence()}, and that never changes, whatever is written
 * afterwards (writes that took an earlier sequence but were still linking when the snapshot was
 * taken are excluded by the visibility watermark, so nothing "appears" later). Deletions after
 * the snapshot do not hide what it saw. Taking one costs no lock and makes no writer wait.
 *
 * <p>Closing the snapshot makes its further use an {@link IllegalStateException}; closing the
 * memtable does too.
 */
public final class Snapshot implements AutoCloseable, Iterable<Entry> {
    private final ConcurrentSkipList owner;
    private final long sequence;
    private volatile boolean closed;

    Snapshot(ConcurrentSkipList owner, long sequence) {
        this.owner = owner;
        this.sequence = sequence;
    }

    void check() {
        if (closed) {
            throw new IllegalStateException("the snapshot is closed");
        }
        owner.checkOpen();
    }

    /** Every write with a sequence at most this is visible, none above it. */
    public long sequence() {
        return sequence;
    }

    /** The version of {@code key} this snapshot sees (possibly a tombstone), or null. */
    public Entry get(byte[] key) {
        return get(Args.key(key));
    }

    /** The version of {@code key} this snapshot sees (possibly a tombstone), or null. */
    public Entry get(MemorySegment key) {
        check();
        return owner.getAt(Args.key(key), sequence);
    }

    /** The live value this snapshot sees, or null when absent or deleted. */
    public Entry getLive(byte[] key) {
        Entry e = get(key);
        return e == null || e.isTombstone() ? null : e;
    }

    public boolean containsKey(byte[] key) {
        return getLive(key) != null;
    }

    /** A cursor over this snapshot, not yet positioned: call {@code first}, {@code last} or {@code seek}. */
    public Cursor cursor() {
        check();
        return new Cursor(owner, sequence, this);
    }

    /** Every key in order with its visible version, tombstones included. */
    @Override
    public Iterator<Entry> iterator() {
        return ConcurrentSkipList.iterate(cursor());
    }

    /** {@link #iterator()} as a sequential stream. */
    public Stream<Entry> stream() {
        return ConcurrentSkipList.stream(iterator());
    }

    @Override
    public void close() {
        closed = true;
    }
}
