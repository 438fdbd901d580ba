package org.skipstore.pagestore.child;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import org.skipstore.pagestore.Skipstore;
import org.skipstore.pagestore.SkipstoreBuilder;
import org.skipstore.pagestore.WriteBatch;
import org.skipstore.pagestore.WriteDurability;

/**
 * The batches {@link SkipstoreBatchLoop}'s writers commit, a function of (run, writer, number)
 * alone, so that the killing test can say what any prefix of a writer's batches leaves. Writer
 * {@code w} owns the keys {@code w<w>-<k>}, {@link #KEYS} of them, and overwrites them again and
 * again; every value of batch n carries the same token {@code r<run>-w<w>-n<n>} before a
 * {@code |}, so the batch a value came from, and whether that batch is whole, can be read back.
 */
public final class KillBatches {

    /** Writer threads in the child. */
    public static final int WRITERS = 4;
    /** Keys each writer owns. */
    public static final int KEYS = 48;

    private KillBatches() {
    }

    /** The options both the child and the test open the database with: small memtables and segments, so flushes and trims happen. */
    public static SkipstoreBuilder builder(WriteDurability mode) {
        return Skipstore.builder().durability(mode).memtableBytes(1 << 20).logSegmentBytes(64 << 10);
    }

    public static String key(int writer, int k) {
        return "w" + writer + "-" + k;
    }

    public static String token(int run, int writer, long n) {
        return "r" + run + "-w" + writer + "-n" + n;
    }

    /**
     * Batch {@code n} (from 1) of {@code writer} in {@code run}: 2 to 5 puts of distinct keys, and
     * on every fifth batch a delete of another key; in order, key to value (null: a delete).
     */
    public static LinkedHashMap<String, String> ops(int run, int writer, long n) {
        long h = (run * 0x9E3779B97F4A7C15L + writer * 0xC2B2AE3D27D4EB4FL + n * 0x165667B19E3779F9L) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        int start = (int) Long.remainderUnsigned(h, KEYS);
        int puts = 2 + (int) ((h >>> 12) & 3);
        String value = token(run, writer, n) + "|" + "v".repeat(200 + (int) Long.remainderUnsigned(h >>> 20, 1000));
        LinkedHashMap<String, String> ops = new LinkedHashMap<>();
        for (int i = 0; i < puts; i++) {
            ops.put(key(writer, (start + 7 * i) % KEYS), value);
        }
        if (n % 5 == 0) {
            ops.put(key(writer, (start + 38) % KEYS), null); // 38: none of the puts' 0, 7, ..., 28
        }
        return ops;
    }

    /** The batch of {@link #ops}. */
    static WriteBatch batch(int run, int writer, long n) {
        WriteBatch b = new WriteBatch();
        ops(run, writer, n).forEach((k, v) -> {
            if (v == null) {
                b.delete(k.getBytes(StandardCharsets.UTF_8));
            } else {
                b.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8));
            }
        });
        return b;
    }
}
