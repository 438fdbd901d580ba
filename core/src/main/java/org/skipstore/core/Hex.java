package org.skipstore.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Short hexadecimal renderings of keys for messages and {@code toString}. */
final class Hex {
    private static final int MAX = 32;

    private Hex() {
    }

    static String of(MemorySegment bytes) {
        StringBuilder sb = new StringBuilder();
        long n = Math.min(bytes.byteSize(), MAX);
        for (long i = 0; i < n; i++) {
            sb.append(String.format("%02x", bytes.get(ValueLayout.JAVA_BYTE, i)));
        }
        if (bytes.byteSize() > MAX) {
            sb.append("...(").append(bytes.byteSize()).append(" bytes)");
        }
        return sb.toString();
    }
}
