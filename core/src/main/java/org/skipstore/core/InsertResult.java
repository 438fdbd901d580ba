package org.skipstore.core;

/** What a write to a {@link ConcurrentSkipList} did. */
public enum InsertResult {
    /** The version was linked: readers can see it. */
    INSERTED,
    /** Insert-if-absent found a live version of the key; nothing was written. */
    DUPLICATE_KEY,
    /**
     * The memtable reached its memory or entry limit; nothing was written. The owner seals it
     * and writes to the fresh memtable ({@link ConcurrentSkipList#seal()}).
     */
    OUT_OF_MEMORY,
    /** The memtable is sealed; nothing was written. Write to the fresh memtable instead. */
    SEALED
}
