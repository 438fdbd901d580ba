package org.skipstore.bench.store;

/**
 * The checksum of a {@link KvStore.Reader} whose engine hands out keys and values as byte
 * arrays (RocksDB, H2 MVStore, MapDB): every engine touches the same bytes of what it reads, as
 * {@link KvStore.Reader} says, in one place.
 */
public abstract class ArrayReader implements KvStore.Reader {

    private long sum;

    /** Touches a visited entry: its key's last byte, its value's length and first byte. */
    protected final void touchEntry(byte[] key, int keyLength, byte[] value, int valueLength) {
        sum += key[keyLength - 1] + valueLength + (valueLength == 0 ? 0 : value[0]);
    }

    /** Touches a value a point read found (its first byte); returns its length. */
    protected final int touchValue(byte[] value, int length) {
        sum += length == 0 ? 0 : value[0];
        return length;
    }

    /** {@link #touchValue} of a value that may be absent: -1 then. */
    protected final int touchValue(byte[] value) {
        return value == null ? -1 : touchValue(value, value.length);
    }

    @Override
    public final long checksum() {
        return sum;
    }

    @Override
    public void close() {
    }
}
