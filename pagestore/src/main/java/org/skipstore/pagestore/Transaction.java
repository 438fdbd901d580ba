package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.skipstore.core.Keys;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.PageSource;
import org.skipstore.pagestore.internal.bskip.LevelWalk;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.bskip.TreeCursor;

/**
 * What both kinds of transaction read: one state of a {@link PageStore}, through point reads,
 * {@link Cursor}s and range scans. A {@link ReadTransaction} reads a committed snapshot; a
 * {@link WriteTransaction} reads its own state, changes included. A transaction is for one
 * thread; close it (try-with-resources) to let the store reuse the pages it holds.
 *
 * <h2>States</h2>
 * A transaction is {@link State#OPEN} until it ends: a read transaction is then
 * {@link State#CLOSED}; a write transaction {@link State#COMMITTED}, {@link State#ABORTED} (by
 * {@link WriteTransaction#abort()} or a close without commit), or {@link State#FAILED} when a
 * change or its commit failed and aborted it. Every call on an ended transaction (and on its
 * cursors) throws a {@link SkipstoreException} with {@link Problem#CLOSED} whose message names
 * the state and, after a failure, whose cause is the exception that ended it. {@link #state()}
 * tells without throwing.
 *
 * <h2>Segment lifetime</h2>
 * The {@code MemorySegment}s it hands out ({@link #get(MemorySegment)}, {@link Cursor#key()},
 * {@link Cursor#value()}, a scan's {@link Visitor}) are read-only views of the store's pages, not
 * copies. They are valid while the transaction is open; in a write transaction, until its next
 * change, commit or abort (its own entries are views of its write buffers, which are then
 * changed or reused). Afterwards they stay readable, never a crash, but may show bytes of later commits once
 * the store reuses the pages (LMDB's contract): copy what you keep; the {@code byte[]} methods
 * ({@link #get(byte[])}, {@link Cursor#keyBytes()}, {@link #list}, {@link #stream}) copy. Once
 * the store closes, reading one may throw {@link IllegalStateException} (a file store's always
 * does: the file is unmapped). A mapped view cannot be given the transaction's lifetime without
 * restricted methods; a store opened with {@link PageStoreBuilder#checkedSegments(boolean)} hands out
 * copies that die with the transaction instead, so that a late read throws
 * {@link IllegalStateException} (a mode for tests and debugging: it copies).
 */
public abstract sealed class Transaction implements AutoCloseable permits ReadTransaction, WriteTransaction {

    /** Receives the entries of a scan; returns false to stop it. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * The segments are valid during the call only; afterwards they stay readable but may
         * show other bytes (see {@link Transaction}, "Segment lifetime"): copy what you keep. In
         * {@linkplain PageStoreBuilder#checkedSegments(boolean) checked mode} they die when the
         * scan returns, and reading them then throws {@link IllegalStateException}.
         *
         * @param key   the key, a read-only view valid during the call
         * @param value the value, likewise; empty for a {@link Range#keysOnly()} scan
         * @return whether to go on
         */
        boolean visit(MemorySegment key, MemorySegment value);
    }

    /**
     * Receives the entries of a scan where they lie ({@link #scanInPlace}): no object is made per
     * entry. The key is {@code keyLength} bytes of {@code keys} from {@code keyOffset}, the value
     * {@code valueLength} bytes of {@code values} from {@code valueOffset}; one segment (a
     * partition of the store's pages) holds the keys and inline values of many entries in a row,
     * so read only the given ranges of it. The segments are read-only and valid during the call
     * only, as a {@link Visitor}'s.
     */
    @FunctionalInterface
    public interface InPlaceVisitor {
        /**
         * @return whether to go on
         */
        boolean visit(MemorySegment keys, long keyOffset, long keyLength, MemorySegment values, long valueOffset,
                long valueLength);
    }

    /** Where a transaction is in its life (lmdbjava's {@code Txn.State}, for our transactions). */
    public enum State {
        /** Reads and (a write transaction) changes may be made. */
        OPEN,
        /** A read transaction that was closed. */
        CLOSED,
        /** A write transaction whose commit returned. */
        COMMITTED,
        /** A write transaction aborted by {@link WriteTransaction#abort()} or closed without commit. */
        ABORTED,
        /** A write transaction aborted because a change or its commit failed: see the cause. */
        FAILED
    }


    final PageStore store;
    final PageSource source;
    /** Set by the subclasses as the transaction ends; read by {@link #check()}. */
    State state = State.OPEN;
    /** What ended a {@link State#FAILED} transaction. */
    Throwable failure;
    /** Changes made (write transactions): cursors re-seek when it moves. */
    int changes;
    /** Checked mode ({@link PageStoreBuilder#checkedSegments}): what it hands out; else null. */
    final SegmentCopies copies;

    Transaction(PageStore store, PageSource source) {
        this.store = store;
        this.source = source;
        this.copies = store.checkedSegments ? new SegmentCopies() : null;
    }

    /** The value of {@code key}, a read-only view (see the class comment), or null. */
    public MemorySegment get(MemorySegment key) {
        return handOut(find(key));
    }

    /** The value as the pages hold it: for the methods that copy it or only test it. */
    MemorySegment find(MemorySegment key) {
        check();
        settle();
        MemorySegment k = store.limits.checkKey(key);
        try {
            return Tree.get(source, k); // read-only: every block a PageSource hands out is
        } catch (RuntimeException | InternalError e) {
            throw store.failure(e);
        }
    }

    /** {@code s} as the user gets it: itself, or in checked mode a copy that dies with the transaction. */
    final MemorySegment handOut(MemorySegment s) {
        return copies == null ? s : copies.copy(s);
    }

    /** Ends what {@link #handOut} handed out (checked mode); at a change and at the end. */
    final void releaseSegments() {
        if (copies != null) {
            copies.release();
        }
    }

    /** A copy of the value of {@code key}, or null. */
    public byte[] get(byte[] key) {
        MemorySegment v = find(store.limits.key(key));
        return v == null ? null : v.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Whether {@code key} is in this state. */
    public boolean containsKey(byte[] key) {
        return find(store.limits.key(key)) != null;
    }

    /** See {@link #containsKey(byte[])}. */
    public boolean containsKey(MemorySegment key) {
        return find(key) != null;
    }

    /**
     * The commit metadata of this state ({@link WriteTransaction#putMetadata}), by name: an
     * unmodifiable map of copies, empty when the state has none. A write transaction's shows its
     * own changes.
     */
    public SortedMap<String, byte[]> metadata() {
        check();
        try {
            return source.metadata();
        } catch (RuntimeException | InternalError e) {
            throw store.failure(e);
        }
    }

    /** A copy of commit metadata {@code name} of this state, or null. */
    public byte[] metadata(String name) {
        Objects.requireNonNull(name, "name");
        return metadata().get(name);
    }

    /** Entries in this state. */
    public long count() {
        check();
        try {
            return Tree.count(source);
        } catch (RuntimeException | InternalError e) {
            throw store.failure(e);
        }
    }

    /**
     * A new cursor, before the first entry ({@link org.skipstore.core.OrderedCursor}):
     * {@code while (c.next())} walks every entry.
     */
    public Cursor cursor() {
        check();
        settle();
        return new Cursor(this, new TreeCursor(source));
    }

    /**
     * Visits the entries of {@code range} in its order, zero-copy; returns how many it visited.
     * A write transaction must not change while it scans. Two slices an entry: where that
     * matters, {@link #scanInPlace} makes none.
     */
    public long scan(Range range, Visitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        return scanInPlace(range, (ks, ko, kl, vs, vo, vl) -> visitor.visit(ks.asSlice(ko, kl), vs.asSlice(vo, vl)));
    }

    /**
     * Visits the entries of {@code range} in its order where they lie in the store's pages,
     * making no object per entry ({@link InPlaceVisitor}); returns how many it visited. The
     * fastest way through many entries: a window of 1000 small time-series entries reads in
     * about half the time of {@link #scan} (issue 17). A write transaction must not change while
     * it scans. In {@linkplain PageStoreBuilder#checkedSegments(boolean) checked mode} the
     * visitor gets copies, which die when the scan returns.
     */
    public long scanInPlace(Range range, InPlaceVisitor visitor) {
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(visitor, "visitor");
        check();
        settle();
        SegmentCopies scanCopies = copies == null ? null : new SegmentCopies(); // checked mode: they die at the return
        try (Arena arena = RangeBounds.bounded(range) ? Arena.ofConfined() : null) {
            return scan(range, visitor, new RangeBounds(range, arena), scanCopies);
        } catch (VisitorFailure e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) e.getCause();
        } catch (RuntimeException | InternalError e) {
            throw store.failure(e);
        } finally {
            if (scanCopies != null) {
                scanCopies.release();
            }
        }
    }

    private long scan(Range range, InPlaceVisitor visitor, RangeBounds bounds, SegmentCopies scanCopies) {
        TreeCursor c = new TreeCursor(source);
        int before = changes;
        MemorySegment start = bounds.start;
        MemorySegment end = bounds.end;
        boolean ok = start == null ? (range.reversed ? c.last() : c.first())
                : (range.reversed ? c.seekFloor(start) : c.seekCeiling(start));
        if (ok && start != null && bounds.skipsStart(Keys.compare(c.key(), start))) {
            ok = range.reversed ? c.prev() : c.next();
        }
        if (!ok || range.limit == 0) {
            return 0;
        }
        LevelWalk.End past = end == null ? null
                : (ks, ko, kl) -> bounds.pastEnd(Keys.compare(ks, ko, kl, end, 0, end.byteSize()));
        return LevelWalk.walk(c, source, range.reversed, range.limit, past, !range.keysOnly,
                (ks, ko, kl, vs, vo, vl) -> {
                    boolean more;
                    try {
                        if (scanCopies == null) {
                            more = visitor.visit(ks, ko, kl, vs, vo, vl);
                        } else {
                            more = visitor.visit(scanCopies.copy(ks.asSlice(ko, kl)), 0, kl,
                                    scanCopies.copy(vs.asSlice(vo, vl)), 0, vl);
                        }
                    } catch (RuntimeException | Error e) {
                        throw new VisitorFailure(e); // the visitor's own: passed on as it is
                    }
                    if (more && changes != before) {
                        throw new java.util.ConcurrentModificationException("the transaction changed during its scan");
                    }
                    return more;
                });
    }

    /** Carries what a scan's visitor threw past the translation of the scan's own failures. */
    private static final class VisitorFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        VisitorFailure(Throwable e) {
            super(null, e, false, false);
        }
    }

    /**
     * The entries of {@code range} as a lazy, sequential stream of copies on a cursor of its own:
     * close the stream (try-with-resources) to close the cursor. Valid while this transaction is
     * open; in a write transaction it sees the changes made meanwhile, as its cursor does.
     *
     * <pre>{@code
     * try (Stream<KeyValue> s = txn.stream(Range.closedOpen(from, to))) {
     *     List<byte[]> keys = s.map(KeyValue::key).toList();
     * }
     * }</pre>
     */
    public Stream<KeyValue> stream(Range range) {
        java.util.Objects.requireNonNull(range, "range");
        return RangeEntries.stream(cursor(), range);
    }

    /** The entries of {@code range}, copied. */
    public List<KeyValue> list(Range range) {
        List<KeyValue> out = new ArrayList<>();
        scan(range, (k, v) -> out.add(new KeyValue(k.toArray(ValueLayout.JAVA_BYTE), v.toArray(ValueLayout.JAVA_BYTE))));
        return out;
    }

    /** The id of the committed state this transaction reads (a write transaction: the one it will commit). */
    public abstract long id();

    /** Where the transaction is in its life; {@link State#OPEN} until it ends. */
    public final State state() {
        return state;
    }

    /** Ends the transaction; a write transaction that was not committed is aborted. */
    @Override
    public abstract void close();

    /** Before a read of the tree: what a write transaction holds back goes into it (nothing for a read transaction). */
    void settle() {
    }

    /** @throws SkipstoreException {@link Problem#CLOSED} once the transaction or its store has ended */
    final void check() {
        if (state != State.OPEN) {
            throw new SkipstoreException(Problem.CLOSED, state == State.FAILED
                    ? "the transaction failed and was aborted: " + failure
                    : "the transaction is " + state.name().toLowerCase(java.util.Locale.ROOT), failure);
        }
        store.checkOpen();
    }
}
