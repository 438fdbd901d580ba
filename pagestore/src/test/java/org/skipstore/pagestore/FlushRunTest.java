package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.skipstore.core.Keys;

/**
 * An engine's flush through the API: a sorted run of native keys and values, puts and
 * tombstones, in one write transaction over a store that holds random keys. The writer merges
 * the run into each partition and holds the merge back until it leaves the partition; every read
 * of the transaction in the middle of the run (get, cursor, scan) must see the run's changes so
 * far. Replay with {@code -Dskipstore.seed=S}.
 */
class FlushRunTest {

    /** @param buffers the transactions' bound on write buffers: the default, or a few pages (most blocks written ahead) */
    @ParameterizedTest
    @ValueSource(longs = {PageStore.DEFAULT_TRANSACTION_BUFFERS, 4096})
    void readsInTheMiddleOfASortedRunSeeItsChangesAndTheCommitKeepsThem(long buffers) {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("readsInTheMiddleOfASortedRunSeeItsChangesAndTheCommitKeepsThem seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
        try (PageStore store = PageStore.builder().pageSize(512).promotion(4).transactionBufferBytes(buffers).openInMemory();
                Arena arena = Arena.ofConfined()) {
            try (WriteTransaction t = store.write()) {
                for (int i = 0; i < 3000; i++) {
                    byte[] k = key(r);
                    byte[] v = value(r);
                    model.put(k, v);
                    t.put(k, v);
                }
                t.commit();
            }
            TreeMap<byte[], byte[]> run = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
            Object[] present = model.keySet().toArray();
            for (int i = 0; i < 3000; i++) {
                byte[] k = r.nextInt(4) == 0 ? (byte[]) present[r.nextInt(present.length)] : key(r);
                run.put(k, r.nextInt(5) == 0 ? null : value(r)); // null: a tombstone
            }
            try (WriteTransaction t = store.write()) {
                for (Map.Entry<byte[], byte[]> e : run.entrySet()) {
                    MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, e.getKey()); // native, as a memtable's
                    if (e.getValue() == null) {
                        assertThat(t.delete(k)).as("seed %d delete", seed).isEqualTo(model.remove(e.getKey()) != null);
                    } else {
                        boolean isNew = model.put(e.getKey(), e.getValue()) == null;
                        assertThat(t.put(k, arena.allocateFrom(ValueLayout.JAVA_BYTE, e.getValue())))
                                .as("seed %d put", seed).isEqualTo(isNew);
                    }
                    switch (r.nextInt(40)) {
                        case 0 -> assertThat(t.get(e.getKey())).as("seed %d get", seed).isEqualTo(e.getValue());
                        case 1 -> {
                            try (Cursor c = t.cursor()) {
                                Map.Entry<byte[], byte[]> at = model.ceilingEntry(e.getKey());
                                assertThat(c.seek(e.getKey())).as("seed %d seek", seed).isEqualTo(at != null);
                                if (at != null) {
                                    assertThat(c.key().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(at.getKey());
                                    assertThat(c.value().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(at.getValue());
                                }
                            }
                        }
                        case 2 -> assertThat(t.scan(Range.all(), (key, value) -> true)).as("seed %d scan", seed)
                                .isEqualTo(model.size());
                        default -> {
                        }
                    }
                }
                t.commit();
            }
            store.verify();
            assertThat(store.count()).isEqualTo(model.size());
            try (ReadTransaction t = store.read(); Cursor c = t.cursor()) {
                for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
                    assertThat(c.next()).isTrue();
                    assertThat(c.key().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(e.getKey());
                    assertThat(c.value().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(e.getValue());
                }
                assertThat(c.next()).isFalse();
            }
        }
    }

    private static byte[] key(SplittableRandom r) {
        byte[] k = new byte[16];
        r.nextBytes(k);
        k[0] &= 0x3F; // a few keys share their first bytes: prefixes tie
        return k;
    }

    private static byte[] value(SplittableRandom r) {
        byte[] v = new byte[r.nextInt(10) == 0 ? r.nextInt(3000) : r.nextInt(120)]; // some out of line
        r.nextBytes(v);
        return v;
    }
}
