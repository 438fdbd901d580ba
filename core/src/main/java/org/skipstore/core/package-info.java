/**
 * Skipstore's core: keys and their order ({@link org.skipstore.core.Keys}), the memtable
 * ({@link org.skipstore.core.ConcurrentSkipList} with its {@link org.skipstore.core.Entry},
 * {@link org.skipstore.core.Cursor} and {@link org.skipstore.core.Snapshot}), and the contracts
 * every tier of Skipstore follows.
 *
 * <h2>Exceptions</h2>
 * Every exception Skipstore throws is unchecked. One family says that the memtable or store
 * could not do what was asked for a reason of its own: {@link org.skipstore.core.SkipstoreException},
 * whose {@link org.skipstore.core.SkipstoreException#problem() problem()} names the reason
 * (closed, memtable full or sealed, damaged, locked, no space, a failed force, another I/O error,
 * ...) and whose cause is the original failure, if any ({@code IOException}s of the file system
 * are translated into it once, at the API). In particular anything closed (a memtable, a snapshot,
 * a cursor, a store, a transaction) throws it with
 * {@link org.skipstore.core.SkipstoreException.Problem#CLOSED} on reads and writes alike.
 * Programming errors stay plain Java exceptions:
 * <ul>
 *   <li>a null argument: {@link java.lang.NullPointerException};</li>
 *   <li>a key or value above the limit, a bad size or option: {@link java.lang.IllegalArgumentException};</li>
 *   <li>a call out of order (sealing a sealed memtable, a second write transaction on the thread
 *       that holds one): {@link java.lang.IllegalStateException};</li>
 *   <li>the key or value of a cursor that is not on an entry, or {@code next()} of an exhausted
 *       iterator: {@link java.util.NoSuchElementException}.</li>
 * </ul>
 * One exception to the family, which no API can catch for you: a segment handed out as a view
 * (an {@link org.skipstore.core.Entry}'s key, a cursor's value) read after its memory was freed
 * throws the JDK's {@link java.lang.IllegalStateException} of a closed arena, never a crash.
 *
 * <h2>Cursors</h2>
 * Every cursor in Skipstore follows {@link org.skipstore.core.OrderedCursor}: it starts before
 * the first entry, {@code while (c.next())} walks every entry, running off an end returns false,
 * and the key or value off an entry is a {@link java.util.NoSuchElementException}.
 *
 * <h2>Views and copies</h2>
 * A method taking or returning {@code MemorySegment} hands out read-only views of Skipstore's
 * memory (zero-copy; each class says how long they live); the same method with {@code byte[]}
 * copies. A name means one shape everywhere.
 */
package org.skipstore.core;
