package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Long scans read level 0 ahead in lanes ({@code ReadAhead}): they must still give every key
 * once, in order, with the version the cursor's snapshot sees, also where a key has more
 * versions than a lane holds, and after moves that leave the lanes behind.
 */
class LongScanTest {

    private static byte[] key(int i) {
        return String.format("k%06d", i).getBytes();
    }

    @Test
    void aLongScanSeesEveryKeyOnceWithItsNewestVersion() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("aLongScanSeesEveryKeyOnceWithItsNewestVersion seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        TreeMap<String, Integer> model = new TreeMap<>();
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            for (int op = 0; op < 50_000; op++) {
                int k = r.nextInt(5) == 0 ? r.nextInt(3) : r.nextInt(20_000); // three keys with many versions
                sl.put(key(k), new byte[] {(byte) op});
                model.put(new String(key(k)), op);
            }
            Snapshot before = sl.snapshot();
            for (int k = 0; k < 3; k++) {
                sl.put(key(k), new byte[] {-1}); // newer than the snapshot
            }
            List<String> scanned = new ArrayList<>();
            try (Cursor c = before.cursor()) {
                for (boolean ok = c.first(); ok; ok = c.next()) {
                    String k = new String(c.entry().keyBytes());
                    scanned.add(k);
                    assertThat(c.value().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                            .as("seed %d, key %s", seed, k).isEqualTo((byte) (int) model.get(k));
                }
            }
            assertThat(scanned).as("seed %d", seed).containsExactlyElementsOf(model.keySet());
            // moves in the middle of a long scan start the lanes afresh
            try (Cursor c = sl.cursor()) {
                c.first();
                for (int i = 0; i < 100; i++) {
                    c.next();
                }
                String middle = new String(c.entry().keyBytes());
                assertThat(c.seek(key(10_000))).isTrue();
                int after = 0;
                String prev = null;
                for (boolean ok = true; ok; ok = c.next()) {
                    String k = new String(c.entry().keyBytes());
                    assertThat(prev == null || prev.compareTo(k) < 0).isTrue();
                    prev = k;
                    after++;
                }
                assertThat(after).isEqualTo(model.tailMap(new String(key(10_000))).size());
                assertThat(middle).isEqualTo(new ArrayList<>(model.keySet()).get(100));
            }
        }
    }
}
