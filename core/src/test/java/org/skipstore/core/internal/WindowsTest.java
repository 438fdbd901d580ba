package org.skipstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Windows and their summaries never contradict the order of their keys, whatever the shape (a
 * shared prefix that most keys have and some do not, byte ranges that some bytes fall outside),
 * and a tie settles as the keys compare. Keys come from a few byte values near the prefix's and
 * the ranges' edges, so that every case (a key that is a proper prefix of the shared one, one that
 * ends right after it, bytes just inside and outside a range, zero bytes) comes up often. Replay
 * with {@code -Dskipstore.seed=N}.
 */
class WindowsTest {

    private static final int[] BYTES = {0x00, 0x01, 0x2f, 0x30, 0x35, 0x39, 0x3a, 0x7f, 0xfe, 0xff};

    @Test
    void windowsSummariesAndTiesOrderKeysAsTheirBytes() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("WindowsTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        SplittableRandom r = new SplittableRandom(seed);
        for (int shape = 0; shape < 200; shape++) {
            byte[] prefix = key(r, r.nextInt(0, 11), null);
            KeyShape ks = switch (r.nextInt(3)) {
                case 0 -> KeyShape.ofPrefix(prefix);
                case 1 -> KeyShape.of(prefix, new int[] {0x30, 0x30, 0x30, 0x30, 0x30, 0x30},
                        new int[] {0x39, 0x39, 0x39, 0x39, 0x39, 0x39}); // digits
                default -> ranges(r, prefix);
            };
            Windows w = new Windows(ks);
            for (int i = 0; i < 2000; i++) {
                byte[] a = key(r, r.nextInt(0, 20), prefix);
                byte[] b = r.nextInt(4) == 0 ? a.clone() : key(r, r.nextInt(0, 20), prefix);
                String at = "seed " + seed + ", " + ks + ", " + Arrays.toString(a) + " vs " + Arrays.toString(b);
                int order = Integer.signum(Arrays.compareUnsigned(a, b));
                long wa = w.window(MemorySegment.ofArray(a));
                long wb = w.window(MemorySegment.ofArray(b));
                int windowOrder = Integer.signum(Long.compareUnsigned(wa, wb));
                assertThat(windowOrder == 0 || windowOrder == order).as("windows, " + at).isTrue();
                int summaryOrder = Long.signum(w.summary(wa) - w.summary(wb));
                assertThat(summaryOrder == 0 || summaryOrder == order).as("summaries, " + at).isTrue();
                assertThat(w.summary(wa)).as("30 bits, " + at).isBetween(0L, (1L << Link.SUMMARY_BITS) - 1);
                if (windowOrder == 0) {
                    int tied = w.compareTied(MemorySegment.ofArray(a), 0, a.length, wa, MemorySegment.ofArray(b), 0, b.length);
                    assertThat(Integer.signum(tied)).as("tie, " + at).isEqualTo(order);
                }
            }
        }
    }

    /** Digits after the shared prefix ("customer-45031") get summaries apart where their top 30 bits tie. */
    @Test
    void digitRangesTellKeysApartThatTheirTopBitsDoNot() {
        byte[] prefix = "customer-".getBytes();
        KeyShape digits = KeyShape.of(prefix, new int[] {0x30, 0x30, 0x30, 0x30, 0x30}, new int[] {0x39, 0x39, 0x39, 0x39, 0x39});
        Windows ranged = new Windows(digits);
        Windows topBits = new Windows(KeyShape.ofPrefix(prefix));
        long a = ranged.window(MemorySegment.ofArray("customer-45031".getBytes()));
        long b = ranged.window(MemorySegment.ofArray("customer-45039".getBytes()));
        assertThat(topBits.summary(a)).isEqualTo(topBits.summary(b));
        assertThat(ranged.summary(a)).isLessThan(ranged.summary(b));
    }

    /** Ranges of a random shape: a few leading window bytes, each a random span of BYTES. */
    private static KeyShape ranges(SplittableRandom r, byte[] prefix) {
        int n = r.nextInt(0, 9);
        int[] low = new int[n];
        int[] high = new int[n];
        for (int i = 0; i < n; i++) {
            int x = BYTES[r.nextInt(BYTES.length)];
            int y = BYTES[r.nextInt(BYTES.length)];
            low[i] = Math.min(x, y);
            high[i] = Math.max(x, y);
        }
        return KeyShape.of(prefix, low, high);
    }

    /** A key of {@code len} bytes, most often {@code prefix} (or a part of it) followed by others. */
    private static byte[] key(SplittableRandom r, int len, byte[] prefix) {
        byte[] k = new byte[len];
        int from = 0;
        if (prefix != null && r.nextInt(4) > 0) {
            from = Math.min(len, r.nextInt(4) == 0 ? r.nextInt(prefix.length + 1) : prefix.length);
            System.arraycopy(prefix, 0, k, 0, Math.min(from, prefix.length));
        }
        for (int i = from; i < len; i++) {
            k[i] = (byte) BYTES[r.nextInt(BYTES.length)];
        }
        return k;
    }
}
