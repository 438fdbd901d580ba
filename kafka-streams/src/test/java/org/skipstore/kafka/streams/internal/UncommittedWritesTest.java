package org.skipstore.kafka.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/**
 * {@link UncommittedWrites#forEach} hands the writes over in {@code Bytes}' order (unsigned
 * bytes, a shorter key first), the order the engine links fastest, whatever prefix the keys
 * share: none, a long one, one some keys end inside, zero bytes after it. Replay with
 * {@code -Dskipstore.seed=N}.
 */
class UncommittedWritesTest {

    private static final byte[] BYTES = {0x00, 0x01, 0x30, 0x39, 0x7f, (byte) 0x80, (byte) 0xff};

    @Test
    void forEachGoesInKeyOrderWhateverPrefixTheKeysShare() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("UncommittedWritesTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 300; round++) {
            byte[] prefix = new byte[r.nextInt(0, 12)];
            for (int i = 0; i < prefix.length; i++) {
                prefix[i] = BYTES[r.nextInt(BYTES.length)];
            }
            UncommittedWrites w = new UncommittedWrites();
            TreeMap<Bytes, byte[]> model = new TreeMap<>();
            for (int i = r.nextInt(0, 200); i > 0; i--) {
                byte[] k = new byte[r.nextInt(0, prefix.length + 12)];
                int keep = r.nextInt(10) == 0 ? r.nextInt(prefix.length + 1) : prefix.length; // some end inside it
                for (int j = 0; j < k.length; j++) {
                    k[j] = j < keep && j < prefix.length ? prefix[j] : BYTES[r.nextInt(BYTES.length)];
                }
                byte[] v = r.nextInt(5) == 0 ? null : new byte[] {(byte) i};
                w.put(Bytes.wrap(k), v);
                model.put(Bytes.wrap(k), v);
            }
            List<String> got = new ArrayList<>();
            w.forEach((k, v) -> got.add(k + "=" + (v == null ? "deleted" : v[0])));
            List<String> want = new ArrayList<>();
            model.forEach((k, v) -> want.add(k + "=" + (v == null ? "deleted" : v[0])));
            assertThat(got).as("seed %d, round %d", seed, round).containsExactlyElementsOf(want);
        }
    }
}
