package org.skipstore.core;

import java.lang.foreign.MemorySegment;

/**
 * The contract of every cursor in Skipstore (the memtable's {@link Cursor}, the page store's
 * {@code org.skipstore.pagestore.Cursor}, and the engine's merged cursor): a position among
 * entries in unsigned key order ({@link Keys}).
 *
 * <ul>
 *   <li>A new cursor is <em>before the first entry</em>: not on an entry, {@link #isValid()} false.</li>
 *   <li>The positioning methods ({@link #first()}, {@link #last()}, {@link #seek}, {@link #seekFloor},
 *       {@link #next()}, {@link #prev()}) return whether the cursor is now on an entry; they never
 *       throw for running off either end.</li>
 *   <li>{@link #next()} from before the first entry goes to the first, so
 *       {@code while (c.next()) { ... }} walks every entry; past the last entry the cursor is
 *       <em>after the last</em>, where {@link #next()} stays false and {@link #prev()} goes to the
 *       last entry. Symmetrically {@link #prev()} from before the first stays false. A
 *       {@link #seek} that finds nothing leaves the cursor after the last, a {@link #seekFloor}
 *       that finds nothing before the first.</li>
 *   <li>{@link #key()}, {@link #value()}, {@link #keyBytes()} and {@link #valueBytes()} when the
 *       cursor is not on an entry throw {@link java.util.NoSuchElementException}.</li>
 *   <li>After {@link #close()}, or once what the cursor reads (memtable, snapshot, transaction,
 *       store) is closed, every method but {@code close} throws a {@link SkipstoreException} with
 *       {@link SkipstoreException.Problem#CLOSED}. Closing twice does nothing.</li>
 *   <li>{@link #key()} and {@link #value()} are read-only views, not copies; how long each
 *       implementation's views live, it says. {@link #keyBytes()} and {@link #valueBytes()} copy.</li>
 *   <li>A cursor is for one thread.</li>
 * </ul>
 * The implementations are final classes, so a call through the concrete type costs no
 * interface dispatch.
 */
public interface OrderedCursor extends AutoCloseable {

    /** To the first entry; false when there is none. */
    boolean first();

    /** To the last entry; false when there is none. */
    boolean last();

    /** To the first entry whose key is at least {@code key}; false (after the last) when there is none. */
    boolean seek(MemorySegment key);

    /** {@link #seek(MemorySegment)} for a {@code byte[]} key. */
    boolean seek(byte[] key);

    /** To the last entry whose key is at most {@code key}; false (before the first) when there is none. */
    boolean seekFloor(MemorySegment key);

    /** {@link #seekFloor(MemorySegment)} for a {@code byte[]} key. */
    boolean seekFloor(byte[] key);

    /** To the next entry (from before the first: the first); false past the last. */
    boolean next();

    /** To the previous entry (from after the last: the last); false before the first. */
    boolean prev();

    /** Whether the cursor is on an entry. */
    boolean isValid();

    /** The key of the entry the cursor is on, a read-only view. */
    MemorySegment key();

    /** The value of the entry the cursor is on, a read-only view. */
    MemorySegment value();

    /** A copy of the key. */
    byte[] keyBytes();

    /** A copy of the value. */
    byte[] valueBytes();

    /** Ends the cursor; idempotent. */
    @Override
    void close();
}
