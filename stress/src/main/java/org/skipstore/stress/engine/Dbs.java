package org.skipstore.stress.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.WriteDurability;
import org.skipstore.pagestore.internal.engine.BatchFormat;

/**
 * Databases for the engine's stress tests: each test state opens one in a fresh directory on a
 * memory file system when there is one ({@code /dev/shm}: forces cost nothing there, and
 * jcstress makes many states), and its arbiter deletes it.
 */
final class Dbs {

    private static final Path ROOT = Files.isDirectory(Paths.get("/dev/shm")) ? Paths.get("/dev/shm")
            : Paths.get(System.getProperty("java.io.tmpdir"));

    private Dbs() {
    }

    static Path directory() {
        try {
            return Files.createTempDirectory(ROOT, "skipstore-stress-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A database with small memtables (so flushes come often) and small log segments (each open
     * preallocates one, zeros written: 64 MiB by default, which jcstress would pay every state).
     */
    static Skipstore open(Path dir, WriteDurability durability) {
        return Skipstore.builder().memtableBytes(1 << 20).logSegmentBytes(64 << 10).durability(durability)
                .memtableShards(2).open(dir);
    }

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] key(int i) {
        return ("key" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] value(long n) {
        return ByteBuffer.allocate(16).putLong(n).putLong(~n).array();
    }

    /** The number a {@link #value} holds, -1 when it is none (torn or foreign), 0 when absent. */
    static long number(byte[] v) {
        if (v == null) {
            return 0;
        }
        if (v.length != 16) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        long n = b.getLong();
        return b.getLong() == ~n ? n : -1;
    }

    /** One put as an encoded batch ({@link BatchFormat}), native, for the engine's internal API. */
    static MemorySegment putBatch(byte[] key, byte[] value) {
        long op = BatchFormat.OP.byteSize();
        long h = BatchFormat.HEADER.byteSize();
        MemorySegment b = Arena.ofAuto().allocate(h + op + key.length + value.length);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, BatchFormat.COUNT, 1);
        b.set(ValueLayout.JAVA_BYTE, h + BatchFormat.KIND, BatchFormat.PUT);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, h + BatchFormat.KEY_LENGTH, key.length);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, h + BatchFormat.VALUE_LENGTH, value.length);
        MemorySegment.copy(key, 0, b, ValueLayout.JAVA_BYTE, h + op, key.length);
        MemorySegment.copy(value, 0, b, ValueLayout.JAVA_BYTE, h + op + key.length, value.length);
        return b;
    }

    /** {@code key} as a native segment (the engine's internal reads take native keys). */
    static MemorySegment nativeKey(byte[] key) {
        MemorySegment k = Arena.ofAuto().allocate(key.length);
        MemorySegment.copy(key, 0, k, ValueLayout.JAVA_BYTE, 0, key.length);
        return k;
    }
}
