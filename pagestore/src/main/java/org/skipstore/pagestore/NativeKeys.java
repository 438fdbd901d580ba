package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keys that the caller passes on the heap ({@code byte[]}, or heap segments) are copied into a
 * native buffer of the calling thread before the store reads them.
 *
 * <p>Why: HotSpot profiles the classes of the segments that reach the JDK's own accessor code
 * ({@code MemorySegment.get}, {@code asSlice}, {@code mismatch}), and every caller in the process
 * shares that profile. The store's pages are mapped or native segments, two classes, which the
 * JIT inlines; once heap segments pass through the same accessors as well, every access in the
 * store becomes a call that is not inlined. A forward scan of 1 M entries took 86-90 ns an entry
 * in a JVM that had also filled the store with {@code byte[]} keys, and 36-40 ns in one that had
 * only scanned; heap and native reads added before a scan-only run took it to 67. A copy of a
 * 16-byte key costs a few nanoseconds.
 *
 * <p>The buffer serves one call (get, put, delete, a seek): the key is read during it, and
 * copied into the store when kept. Nothing holds the buffer after the call, so a call from
 * inside a scan's visitor disturbs nothing (the scan's bounds have copies of their own).
 * Values are not copied: the store only copies them, in bulk.
 */
final class NativeKeys {

    private static final ThreadLocal<MemorySegment> BUFFER = new ThreadLocal<>();

    private NativeKeys() {
    }

    /** {@code key} itself when native, else a copy in the thread's buffer. */
    static MemorySegment of(MemorySegment key) {
        if (key.isNative()) {
            return key;
        }
        MemorySegment b = buffer(key.byteSize());
        MemorySegment.copy(key, 0, b, 0, key.byteSize());
        return b;
    }

    /** A copy of {@code key} in the thread's buffer. */
    static MemorySegment of(byte[] key) {
        return fill(buffer(key.length), key);
    }

    /** A copy of {@code key} (may be null) that lasts as long as {@code arena}. */
    static MemorySegment copy(byte[] key, Arena arena) {
        return key == null ? null : fill(arena.allocate(key.length), key);
    }

    private static MemorySegment fill(MemorySegment b, byte[] key) {
        MemorySegment.copy(key, 0, b, ValueLayout.JAVA_BYTE, 0, key.length);
        return b;
    }

    private static MemorySegment buffer(long bytes) {
        MemorySegment b = BUFFER.get();
        if (b == null || b.byteSize() < bytes) {
            b = Arena.ofAuto().allocate(Math.max(64, Long.highestOneBit(bytes) << 1));
            BUFFER.set(b);
        }
        return b.asSlice(0, bytes);
    }
}
