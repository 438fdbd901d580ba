package org.skipstore.pagestore;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A key and its value, copied out of a store: what the copying reads return ({@link
 * PageStore#scan}, {@link Transaction#list}). Equal when the bytes are.
 */
public record KeyValue(byte[] key, byte[] value) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv && Arrays.equals(key, kv.key) && Arrays.equals(value, kv.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "KeyValue[key=" + hex.formatHex(key) + ", value=" + (value.length <= 32 ? hex.formatHex(value)
                : hex.formatHex(value, 0, 32) + "... (" + value.length + " bytes)") + "]";
    }
}
