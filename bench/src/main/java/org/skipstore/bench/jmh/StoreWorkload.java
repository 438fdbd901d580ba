package org.skipstore.bench.jmh;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.skipstore.bench.store.KvStore;
import org.skipstore.bench.store.Stores;

import static org.skipstore.bench.jmh.StoreBenchmark.KEY_BYTES;
import static org.skipstore.bench.jmh.StoreBenchmark.RAW_BYTES;
import static org.skipstore.bench.jmh.StoreBenchmark.VALUE_BYTES;

/**
 * The data and helpers of {@link StoreBenchmark}: its keys and values, the fill every workload
 * starts from, and the checks and size lines around them.
 */
final class StoreWorkload {

    /** The first timestamp of the series (milliseconds), one second apart. */
    static final long EPOCH_MILLIS = 1_767_225_600_000L;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    private StoreWorkload() {
    }

    /** Key {@code i}: {@code i} big-endian in 8 bytes, then ASCII '0' (as db_bench and the tool make them). */
    static void key(byte[] k, long i) {
        LONG_BE.set(k, 0, i);
        for (int b = 8; b < KEY_BYTES; b++) {
            k[b] = '0';
        }
    }

    /** The time-series key of second {@code tick} of series {@code series}. */
    static void seriesKey(byte[] k, long tick, long series) {
        LONG_BE.set(k, 0, EPOCH_MILLIS + tick * 1000);
        LONG_BE.set(k, 8, series);
    }

    /**
     * Value {@code i}: pseudo-random bytes. Each value's words come from a SplitMix64 stream that
     * starts at a point of its own ({@code mix(i)}), so no two values share a run of bytes that a
     * compressor could find (streams started at {@code i}, {@code i + 1}, ... would overlap).
     */
    static void value(byte[] v, long i) {
        long z = MemtableWorkload.mix(i ^ 0x6A09E667F3BCC909L);
        int at = 0;
        for (; at + 8 <= v.length; at += 8) {
            LONG_LE.set(v, at, MemtableWorkload.mix(z += 0x9E3779B97F4A7C15L));
        }
        for (long last = MemtableWorkload.mix(z + 1); at < v.length; at++, last >>>= 8) {
            v[at] = (byte) last;
        }
    }

    /**
     * Fills {@code store} with keys {@code order[i]} (or {@code i} when {@code order} is null) for
     * {@code i < entries}, committing every {@code batch} puts ({@link KvStore#putAndCommit}) and at
     * the end.
     */
    static void fill(KvStore store, int entries, int[] order, int batch) throws IOException {
        byte[] k = new byte[KEY_BYTES];
        byte[] v = new byte[VALUE_BYTES];
        for (int i = 0; i < entries; i++) {
            int n = order == null ? i : order[i];
            key(k, n);
            value(v, n);
            if ((i + 1) % batch == 0) {
                store.putAndCommit(k, v); // the batch's last put and its durable commit
            } else {
                store.put(k, v);
            }
        }
        store.commit();
    }

    /** Counts every entry of {@code store} by a scan; fails when it is not {@code expected}. */
    static void checkCount(KvStore store, long expected, String what) {
        try (KvStore.Reader r = store.reader()) {
            long n = r.scan(false);
            if (n != expected) {
                throw new IllegalStateException(store.engine() + " " + what + ": a scan found " + n + " entries, "
                        + expected + " were written");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sizeReport(String engine, String what, KvStore store, Path dir, long entries) throws IOException {
        String details = store.details();
        return "[size] " + engine + " " + what + ": " + Stores.sizeLine(dir, entries, RAW_BYTES)
                + (details.isEmpty() ? "" : "; " + details);
    }

    static String benchmarkName(BenchmarkParams params) {
        String b = params.getBenchmark();
        return b.substring(b.lastIndexOf('.') + 1);
    }
}
