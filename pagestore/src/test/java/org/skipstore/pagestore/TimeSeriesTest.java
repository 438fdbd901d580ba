package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * quark's use case: samples of many series appended in time order (monotonic keys: big-endian
 * timestamp, then series id), committed in batches, read back over recent windows both ways,
 * with some samples large enough to span many pages, and old windows deleted (retention) so
 * that the file reuses their space instead of growing.
 */
class TimeSeriesTest {

    static final int SERIES = 16;
    static final long STEP = 1000; // one sample per series every second, in ms

    @TempDir
    Path dir;

    static byte[] key(long ts, int series) {
        return ByteBuffer.allocate(16).putLong(ts).putLong(series).array();
    }

    /** A sample's value: small, but every 97th spans many pages; its bytes derive from its key. */
    static byte[] value(long ts, int series) {
        long n = ts / STEP * SERIES + series;
        int len = n % 97 == 0 ? 40_000 + (int) (n % 5) * 10_000 : 24;
        byte[] v = new byte[len];
        for (int i = 0; i < len; i += 8) {
            long x = n * 0x9E3779B97F4A7C15L + i;
            for (int j = 0; j < 8 && i + j < len; j++) {
                v[i + j] = (byte) (x >>> (8 * j));
            }
        }
        return v;
    }

    @Test
    void appendsInTimeOrderReadRecentWindowsAndReuseTheSpaceOfExpiredOnes() throws IOException {
        Path file = dir.resolve("ts.skip");
        long t0 = 1_700_000_000_000L;
        int seconds = 3000;
        int retain = 600; // seconds kept
        long sizeAtHalf = 0;
        try (PageStore store = PageStore.open(file)) {
            for (int s = 0; s < seconds; s++) {
                long ts = t0 + s * STEP;
                try (WriteTransaction txn = store.write()) { // one batch per second: every series
                    for (int series = 0; series < SERIES; series++) {
                        assertThat(txn.put(key(ts, series), value(ts, series))).isTrue();
                    }
                    if (s >= retain) { // retention: the second that fell out of the window goes
                        long old = ts - retain * STEP;
                        for (int series = 0; series < SERIES; series++) {
                            assertThat(txn.delete(key(old, series))).isTrue();
                        }
                    }
                    txn.commit();
                }
                if (s % 250 == 249) {
                    checkWindow(store, ts, 60);
                    checkWindow(store, ts, Math.min(retain, s + 1));
                }
                if (s == seconds / 2) {
                    sizeAtHalf = Files.size(file);
                }
            }
            PageStoreStats stats = store.verify();
            assertThat(stats.entries()).isEqualTo((long) retain * SERIES);
            System.out.println("time series: " + stats);
            // steady state: as much expires as arrives, and freed blocks are reused
            assertThat(Files.size(file)).isLessThanOrEqualTo(sizeAtHalf * 2);
        }
        try (PageStore store = PageStore.open(file)) {
            checkWindow(store, t0 + (seconds - 1) * STEP, retain);
        }
    }

    /** The last {@code window} seconds up to {@code now}: forward, backward, and one series. */
    static void checkWindow(PageStore store, long now, int window) {
        long from = now - (window - 1) * STEP;
        try (ReadTransaction txn = store.read()) {
            List<long[]> seen = new ArrayList<>();
            txn.scan(Range.closed(key(from, 0), key(now, SERIES - 1)), (k, v) -> {
                long ts = k.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0);
                int series = (int) k.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 8);
                assertThat(v.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(value(ts, series));
                seen.add(new long[] {ts, series});
                return true;
            });
            assertThat(seen).hasSize(window * SERIES);
            assertThat(seen.get(0)).containsExactly(from, 0);
            assertThat(seen.get(seen.size() - 1)).containsExactly(now, SERIES - 1);
            // the newest 5 samples, newest first, without reading values
            List<KeyValue> newest = txn.list(Range.atMost(key(now, SERIES - 1)).reversed().limit(5).keysOnly());
            assertThat(newest).extracting(kv -> ByteBuffer.wrap(kv.key()).getLong(8))
                    .containsExactly(15L, 14L, 13L, 12L, 11L);
            // one series over the window, by seeking sample by sample
            try (Cursor c = txn.cursor()) {
                int found = 0;
                for (long ts = from; ts <= now; ts += STEP) {
                    assertThat(c.seek(MemorySegment.ofArray(key(ts, 7)))).isTrue();
                    assertThat(c.keyBytes()).isEqualTo(key(ts, 7));
                    found++;
                }
                assertThat(found).isEqualTo(window);
            }
        }
    }
}
