package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One version of a key in a {@link ConcurrentSkipList}: key, value, tombstone flag and sequence.
 *
 * <p>{@link #key()} and {@link #value()} are read-only views of the memtable's own memory: no
 * copy is made. They stay valid until the memtable is closed; afterwards any access to them
 * throws {@link IllegalStateException}. {@link #keyBytes()} and {@link #valueBytes()} copy.
 */
public final class Entry {
    private final MemorySegment key;
    private final MemorySegment value;
    private final boolean tombstone;
    private final long sequence;

    Entry(MemorySegment key, MemorySegment value, boolean tombstone, long sequence) {
        this.key = key;
        this.value = value;
        this.tombstone = tombstone;
        this.sequence = sequence;
    }

    /** The key, a read-only view of memtable memory. */
    public MemorySegment key() {
        return key;
    }

    /** The value, a read-only view of memtable memory; empty for a tombstone. */
    public MemorySegment value() {
        return value;
    }

    /** A copy of the key. */
    public byte[] keyBytes() {
        return key.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A copy of the value; empty for a tombstone. */
    public byte[] valueBytes() {
        return value.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Whether this version records a deletion. */
    public boolean isTombstone() {
        return tombstone;
    }

    /** The version's sequence number: a later write of the same key has a larger one. */
    public long sequence() {
        return sequence;
    }

    @Override
    public String toString() {
        return "Entry[key=" + Hex.of(key) + (tombstone ? ", tombstone" : ", value=" + Hex.of(value))
                + ", seq=" + sequence + "]";
    }
}
