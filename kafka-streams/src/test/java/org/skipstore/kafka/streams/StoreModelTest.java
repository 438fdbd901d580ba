package org.skipstore.kafka.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random puts, deletes, putAlls, restores, reads, ranges, prefix scans, commits (with offsets) and
 * reopens against a model of two {@code TreeMap}s: what is committed, and the writes since. Small
 * memtables make the engine flush and cut commits into several batches as it goes. Iterators are
 * held open across later operations and checked against the model as of their making. Replay a
 * failure with {@code -Dskipstore.seed=S}.
 */
class StoreModelTest {

    private static final byte[] DELETED = new byte[0];
    private static final int[] KEY_BYTES = {0x00, 0x01, 0x61, 0x62, 0x7f, 0x80, 0xfe, 0xff};
    private static final List<TopicPartition> PARTITIONS = List.of(new TopicPartition("changelog", 0),
            new TopicPartition("changelog", 1), new TopicPartition("other", 0));

    @TempDir
    Path dir;

    private Random random;
    private final TreeMap<Bytes, byte[]> committed = new TreeMap<>();
    private final TreeMap<Bytes, byte[]> uncommitted = new TreeMap<>(); // DELETED for a delete
    private final Map<TopicPartition, Long> offsets = new HashMap<>();
    private final List<OpenIterator> open = new ArrayList<>();
    private TestContext context;
    private SkipstoreKeyValueStore store;

    /** An iterator left open, and what it must still return. */
    private record OpenIterator(KeyValueIterator<Bytes, byte[]> it, Iterator<Map.Entry<Bytes, byte[]>> expected) {
    }

    @Test
    void randomOperationsMatchTheModel() {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("StoreModelTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        random = new Random(seed);
        reopen();
        try {
            for (int op = 0; op < 6000; op++) {
                step(op);
            }
            commit(Map.of());
            reopen();
            checkScan(null, null, false, false);
        } catch (Throwable e) {
            throw new AssertionError("seed " + seed + ": " + e, e);
        } finally {
            store.close();
        }
    }

    private void step(int op) {
        if (op % 1000 == 999) {
            reopen();
            return;
        }
        int dice = random.nextInt(100);
        if (dice < 30) {
            Bytes k = key();
            byte[] v = value();
            store.put(k, v);
            uncommitted.put(k, v);
        } else if (dice < 38) {
            Bytes k = key();
            assertThat(store.delete(k)).as("delete %s", k).isEqualTo(current(k));
            uncommitted.put(k, DELETED);
        } else if (dice < 42) {
            List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>();
            for (int i = random.nextInt(8); i >= 0; i--) {
                KeyValue<Bytes, byte[]> kv = KeyValue.pair(key(), random.nextInt(5) == 0 ? null : value());
                entries.add(kv);
            }
            store.putAll(entries);
            entries.forEach(kv -> uncommitted.put(kv.key, kv.value == null ? DELETED : kv.value));
        } else if (dice < 45) {
            Bytes k = key();
            byte[] v = value();
            byte[] was = current(k);
            assertThat(store.putIfAbsent(k, v)).as("putIfAbsent %s", k).isEqualTo(was);
            if (was == null) {
                uncommitted.put(k, v);
            }
        } else if (dice < 60) {
            Bytes k = key();
            assertThat(store.get(k)).as("get %s", k).isEqualTo(current(k));
        } else if (dice < 70) {
            Bytes a = key();
            Bytes b = random.nextInt(10) == 0 ? a : key();
            checkScan(random.nextInt(8) == 0 ? null : a, random.nextInt(8) == 0 ? null : b, random.nextBoolean(), false);
        } else if (dice < 74) {
            checkPrefixScan(key());
        } else if (dice < 78) {
            openIterator();
        } else if (dice < 84) {
            advanceOpenIterators();
        } else if (dice < 86) {
            checkScan(key(), key(), random.nextBoolean(), true);
        } else if (dice < 87) {
            assertThat(store.approximateNumEntries()).isEqualTo(expected(null, null, false).size());
        } else if (dice < 89) {
            restore();
        } else if (dice < 97) {
            commit();
        } else if (dice < 98) {
            reopen();
        } else {
            assertThat(store.approximateNumUncommittedBytes() > 0).isEqualTo(!uncommitted.isEmpty());
        }
    }

    private Bytes key() {
        byte[] k = new byte[random.nextInt(4)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) KEY_BYTES[random.nextInt(KEY_BYTES.length)];
        }
        return Bytes.wrap(k);
    }

    private byte[] value() {
        byte[] v = new byte[random.nextInt(50) == 0 ? 20_000 + random.nextInt(40_000) : random.nextInt(40)];
        random.nextBytes(v);
        return v;
    }

    /** The model's value of {@code k} as the store reads it, or null. */
    private byte[] current(Bytes k) {
        byte[] w = uncommitted.get(k);
        if (w != null) {
            return w == DELETED ? null : w;
        }
        return committed.get(k);
    }

    /** The model's entries from {@code from} to {@code to} (inclusive; null: no bound), as the store reads them. */
    private List<Map.Entry<Bytes, byte[]>> expected(Bytes from, Bytes to, boolean committedOnly) {
        TreeMap<Bytes, byte[]> view = new TreeMap<>(committed);
        if (!committedOnly) {
            uncommitted.forEach((k, v) -> {
                if (v == DELETED) {
                    view.remove(k);
                } else {
                    view.put(k, v);
                }
            });
        }
        if (from != null && to != null && from.compareTo(to) > 0) {
            return List.of();
        }
        NavigableMap<Bytes, byte[]> m = view;
        if (from != null) {
            m = m.tailMap(from, true);
        }
        if (to != null) {
            m = m.headMap(to, true);
        }
        List<Map.Entry<Bytes, byte[]>> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(Map.entry(k, v)));
        return out;
    }

    private void checkScan(Bytes from, Bytes to, boolean reverse, boolean committedOnly) {
        List<Map.Entry<Bytes, byte[]>> want = expected(from, to, committedOnly);
        if (reverse) {
            want = want.reversed();
        }
        var source = committedOnly ? store.readOnly(IsolationLevel.READ_COMMITTED) : store;
        KeyValueIterator<Bytes, byte[]> it = from == null && to == null
                ? (reverse ? source.reverseAll() : source.all())
                : (reverse ? source.reverseRange(from, to) : source.range(from, to));
        assertThat(read(it)).as("%s %s..%s%s", reverse ? "reverseRange" : "range", from, to,
                committedOnly ? " committed" : "").isEqualTo(strings(want));
    }

    private void checkPrefixScan(Bytes prefix) {
        List<Map.Entry<Bytes, byte[]>> want = expected(null, null, false).stream()
                .filter(e -> startsWith(e.getKey().get(), prefix.get())).toList();
        assertThat(read(store.prefixScan(prefix.get(), new ByteArraySerializer()))).as("prefixScan %s", prefix)
                .isEqualTo(strings(want));
    }

    private static boolean startsWith(byte[] k, byte[] prefix) {
        return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void openIterator() {
        Bytes from = random.nextBoolean() ? null : key();
        boolean reverse = random.nextBoolean();
        List<Map.Entry<Bytes, byte[]>> want = expected(from, null, false);
        if (reverse) {
            want = want.reversed();
        }
        open.add(new OpenIterator(reverse ? store.reverseRange(from, null) : store.range(from, null), want.iterator()));
    }

    private void advanceOpenIterators() {
        for (Iterator<OpenIterator> i = open.iterator(); i.hasNext(); ) {
            OpenIterator o = i.next();
            for (int n = random.nextInt(5); n >= 0; n--) {
                if (!o.expected.hasNext()) {
                    assertThat(o.it.hasNext()).isFalse();
                    o.it.close();
                    i.remove();
                    break;
                }
                Map.Entry<Bytes, byte[]> e = o.expected.next();
                assertThat(o.it.peekNextKey()).isEqualTo(e.getKey());
                KeyValue<Bytes, byte[]> kv = o.it.next();
                assertThat(string(kv.key, kv.value)).isEqualTo(string(e.getKey(), e.getValue()));
            }
        }
    }

    private void restore() {
        List<KeyValue<byte[], byte[]>> records = new ArrayList<>();
        for (int i = random.nextInt(20); i >= 0; i--) {
            Bytes k = key();
            byte[] v = random.nextInt(4) == 0 ? null : value();
            records.add(KeyValue.pair(k.get(), v));
            uncommitted.put(k, v == null ? DELETED : v); // committed with the next commit, as processed writes
        }
        context.restore(records);
    }

    private void commit() {
        Map<TopicPartition, Long> changes = new HashMap<>();
        if (random.nextInt(10) > 0) {
            for (TopicPartition tp : PARTITIONS) {
                int d = random.nextInt(4);
                if (d == 0) {
                    changes.put(tp, null);
                } else if (d == 1) {
                    changes.put(tp, random.nextLong(1_000_000));
                }
            }
            if (changes.isEmpty()) {
                changes.put(PARTITIONS.get(0), 1L);
            }
        }
        commit(changes);
    }

    private void commit(Map<TopicPartition, Long> changes) {
        store.commit(changes);
        if (changes.isEmpty()) {
            offsets.clear();
        }
        changes.forEach((tp, o) -> {
            if (o == null) {
                offsets.remove(tp);
            } else {
                offsets.put(tp, o);
            }
        });
        uncommitted.forEach((k, v) -> {
            if (v == DELETED) {
                committed.remove(k);
            } else {
                committed.put(k, v);
            }
        });
        uncommitted.clear();
        checkOffsets();
    }

    private void reopen() {
        if (store != null) {
            store.close();
            for (OpenIterator o : open) {
                assertThatThrownBy(o.it::hasNext).isInstanceOf(InvalidStateStoreException.class);
            }
            open.clear();
            uncommitted.clear();
        }
        context = Fixture.context(dir);
        store = Fixture.open(context);
        checkOffsets();
    }

    private void checkOffsets() {
        for (TopicPartition tp : PARTITIONS) {
            assertThat(store.committedOffset(tp)).as("offset of %s", tp).isEqualTo(offsets.get(tp));
        }
    }

    private static List<String> read(KeyValueIterator<Bytes, byte[]> it) {
        List<String> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                out.add(string(kv.key, kv.value));
            }
        }
        return out;
    }

    private static List<String> strings(List<Map.Entry<Bytes, byte[]>> entries) {
        return entries.stream().map(e -> string(e.getKey(), e.getValue())).toList();
    }

    private static String string(Bytes k, byte[] v) {
        HexFormat hex = HexFormat.of();
        return hex.formatHex(k.get()) + "=" + v.length + ":" + hex.formatHex(v, 0, Math.min(v.length, 8));
    }
}
