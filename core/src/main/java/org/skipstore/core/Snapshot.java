package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A point-in-time view of a {@link ConcurrentSkipList}: it sees, for each key, the newest version
 * whose sequence is at most {@link #sequence()}, and that never changes, whatever is written
 * afterwards: a write gets its sequence only once it is linked, so none can appear later below
 * it. It sees every write that returned before it was taken on its thread (or that its thread
 * learned of through a happens-before edge). Deletions after the snapshot do not hide what it
 * saw. Taking one costs no lock and makes no writer wait.
 *
 * <p>Closing the snapshot makes its further use a {@link SkipstoreException} with
 * {@link SkipstoreException.Problem#CLOSED}; closing the memtable does too.
 */
public final class Snapshot implements AutoCloseable, Iterable<Entry> {
    private final ConcurrentSkipList owner;
    /** The stamp counter when taken: the snapshot sees the versions stamped below it. */
    private final long v;
    private volatile boolean closed;

    Snapshot(ConcurrentSkipList owner, long v) {
        this.owner = owner;
        this.v = v;
    }

    void check() {
        if (closed) {
            throw new SkipstoreException(SkipstoreException.Problem.CLOSED, "the snapshot is closed");
        }
        owner.checkOpen();
    }

    /** Every write with a sequence at most this is visible, none above it. */
    public long sequence() {
        return v - 1;
    }

    /**
     * The version of {@code key} this snapshot sees, <em>possibly a tombstone</em> (not null for a
     * deleted key: {@link #getLive(byte[])} filters it), or null when it sees none.
     */
    public Entry get(byte[] key) {
        return get(Args.key(key));
    }

    /** The version of {@code key} this snapshot sees (possibly a tombstone), or null. */
    public Entry get(MemorySegment key) {
        check();
        return owner.getAt(Args.key(key), v);
    }

    /** The live value this snapshot sees, or null when absent or deleted. */
    public Entry getLive(byte[] key) {
        Entry e = get(key);
        return e == null || e.isTombstone() ? null : e;
    }

    /** See {@link #getLive(byte[])}. */
    public Entry getLive(MemorySegment key) {
        Entry e = get(key);
        return e == null || e.isTombstone() ? null : e;
    }

    /** Whether this snapshot sees a live version of {@code key}. */
    public boolean containsKey(byte[] key) {
        return getLive(key) != null;
    }

    /** See {@link #containsKey(byte[])}. */
    public boolean containsKey(MemorySegment key) {
        return getLive(key) != null;
    }

    /** A cursor over this snapshot, before its first key ({@link OrderedCursor}). */
    public Cursor cursor() {
        check();
        return new Cursor(owner, v, this);
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
