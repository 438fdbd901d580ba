package org.skipstore.pagestore;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.skipstore.pagestore.internal.Chunks;
import org.skipstore.pagestore.internal.bskip.Tree;

/**
 * The argument checks of a store's API: null keys and values ({@link NullPointerException}) and
 * the store's size limits ({@link IllegalArgumentException}), which follow from its page size.
 */
final class Limits {

    final int maxKey;
    final long maxValue;

    Limits(int pageSize) {
        this.maxKey = Tree.maxKeyBytes(pageSize);
        // the largest run, less its checksum
        this.maxValue = Math.min(Integer.MAX_VALUE, ((long) pageSize << Chunks.MAX_ORDER) - Tree.VALUE_OFFSET);
    }

    static MemorySegment segment(byte[] value) {
        return MemorySegment.ofArray(Objects.requireNonNull(value, "value"));
    }

    /** {@code key}, checked, as a native segment ({@link NativeKeys}: a copy when it is on the heap). */
    MemorySegment checkKey(MemorySegment key) {
        Objects.requireNonNull(key, "key");
        checkKeyLength(key.byteSize());
        return NativeKeys.of(key);
    }

    /** A {@code byte[]} key, checked, as a native segment ({@link NativeKeys}: a copy). */
    MemorySegment key(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkKeyLength(key.length);
        return NativeKeys.of(key);
    }

    private void checkKeyLength(long bytes) {
        if (bytes > maxKey) {
            throw new IllegalArgumentException("key of " + bytes + " bytes exceeds the maximum of " + maxKey + " bytes");
        }
    }

    void checkValue(MemorySegment value) {
        Objects.requireNonNull(value, "value");
        if (value.byteSize() > maxValue) {
            throw new IllegalArgumentException("value of " + value.byteSize() + " bytes exceeds the maximum of "
                    + maxValue + " bytes");
        }
    }
}
