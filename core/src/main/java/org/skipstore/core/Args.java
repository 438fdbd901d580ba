package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks shared by the public API: null keys and values, and size limits. */
final class Args {
    private Args() {
    }

    static MemorySegment key(byte[] key) {
        return checkKey(MemorySegment.ofArray(Objects.requireNonNull(key, "key")));
    }

    static MemorySegment key(MemorySegment key) {
        return checkKey(Objects.requireNonNull(key, "key"));
    }

    static MemorySegment value(byte[] value) {
        return checkValue(MemorySegment.ofArray(Objects.requireNonNull(value, "value")));
    }

    static MemorySegment value(MemorySegment value) {
        return checkValue(Objects.requireNonNull(value, "value"));
    }

    private static MemorySegment checkKey(MemorySegment key) {
        if (key.byteSize() > ConcurrentSkipList.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("key of " + key.byteSize() + " bytes exceeds the maximum of "
                    + ConcurrentSkipList.MAX_KEY_BYTES + " bytes");
        }
        return key;
    }

    private static MemorySegment checkValue(MemorySegment value) {
        if (value.byteSize() > ConcurrentSkipList.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of " + value.byteSize() + " bytes exceeds the maximum of "
                    + ConcurrentSkipList.MAX_VALUE_BYTES + " bytes");
        }
        return value;
    }
}
