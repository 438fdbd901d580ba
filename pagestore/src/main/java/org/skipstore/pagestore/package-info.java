/**
 * Skipstore's durable tier: {@link org.skipstore.pagestore.PageStore}, an ordered key-value store
 * in one memory-mapped file, with its {@link org.skipstore.pagestore.ReadTransaction}s,
 * {@link org.skipstore.pagestore.WriteTransaction}, {@link org.skipstore.pagestore.Cursor}s and
 * {@link org.skipstore.pagestore.Range}s.
 *
 * <h2>Exceptions</h2>
 * The contract of {@code org.skipstore.core} holds here too: every exception is unchecked. What
 * the store cannot do for a reason of its own is a {@link org.skipstore.core.SkipstoreException}
 * naming its {@link org.skipstore.core.SkipstoreException.Problem}: at open
 * {@code NOT_A_STORE}, {@code CORRUPT}, {@code TRUNCATED}, {@code PAGE_SIZE}, {@code VERSION},
 * {@code LOCKED}, {@code NOT_WRITABLE}, {@code NOT_FOUND}; on reads {@code CORRUPT} or
 * {@code TRUNCATED} for damage met; on writes and commits {@code NO_SPACE}, {@code FAILED_FORCE},
 * {@code FAILED_WRITE}, {@code CORRUPT} (a damaged store refuses writes); {@code IO} for another
 * failure of the file system; and {@code CLOSED} for any use of a closed store, transaction or
 * cursor, reads and writes alike (a write transaction that a failure ended says so, with the
 * failure as the cause: {@link org.skipstore.pagestore.Transaction.State}). The file system's
 * {@code IOException}s are translated into it once, at this API, the original kept as the cause.
 * A null argument is a {@link java.lang.NullPointerException}, a key or value over the store's
 * limits or a bad option an {@link java.lang.IllegalArgumentException}, a second write
 * transaction on the thread that holds one an {@link java.lang.IllegalStateException}, the key
 * of a cursor off an entry a {@link java.util.NoSuchElementException}.
 *
 * <h2>Cursors, streams and names</h2>
 * {@link org.skipstore.pagestore.Cursor} follows {@link org.skipstore.core.OrderedCursor}, as the
 * memtable's cursor does. A range of entries is also a {@code Stream} of copied
 * {@link org.skipstore.pagestore.KeyValue}s that closes its cursor (and, from the store, its read
 * transaction) when closed: {@code try (Stream<KeyValue> s = txn.stream(range)) { ... }}. A
 * method has one shape wherever it appears ({@code get}, {@code containsKey}, {@code put},
 * {@code delete}, {@code list}, {@code stream}, {@code count} on the store and on transactions):
 * {@code byte[]} in, {@code byte[]} out (a copy); {@code MemorySegment} in, {@code MemorySegment}
 * out, a view of the pages from a transaction, a copy from the store (whose own transaction ends
 * before it returns).
 */
package org.skipstore.pagestore;
