package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.skipstore.core.internal.SkipList;

/**
 * Writes in ascending key order start their search at the place of the thread's last insert
 * ({@code SkipList.spliceAfterLast}): a sequential fill takes that path, and the list stays the
 * same list a search from the head would build, also when other threads write in between.
 */
class AscendingWritesTest {

    private static byte[] key(long n) {
        return ByteBuffer.allocate(16).putLong(0, n).putLong(8, ~n).array();
    }

    private static long hinted(ConcurrentSkipList list) {
        return list.skipList().stat(SkipList.STAT_HINTED);
    }

    @Test
    void aSequentialFillStartsEachSearchAfterTheLastInsert() {
        try (ConcurrentSkipList list = ConcurrentSkipList.builder().build()) {
            int n = 20_000;
            for (long i = 0; i < n; i++) {
                assertThat(list.insert(key(i), key(i))).isTrue();
            }
            assertThat(hinted(list)).as("writes that started after the last insert").isEqualTo(n - 1);
            assertThat(list.verify().versions()).isEqualTo(n);
            long i = 0;
            for (Entry e : list) {
                assertThat(e.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(key(i++));
            }
            assertThat(i).isEqualTo(n);
        }
    }

    @Test
    void descendingAndRepeatedKeysSearchFromTheHead() {
        try (ConcurrentSkipList list = ConcurrentSkipList.builder().build()) {
            for (long i = 1000; i > 0; i--) {
                list.put(key(i), key(i));
            }
            assertThat(hinted(list)).isZero();
            list.put(key(1), key(1)); // the key of the last insert, not above it
            assertThat(list.insert(key(1000), key(2))).isFalse(); // a duplicate
            list.put(key(1001), key(1001)); // after a write that inserted nothing
            assertThat(hinted(list)).isZero();
            list.put(key(1002), key(1002)); // right after the last insert
            assertThat(hinted(list)).isEqualTo(1);
            assertThat(list.verify().versions()).isEqualTo(1003);
        }
    }

    /**
     * A sorted batch into a full list (a Kafka Streams commit: a few thousand keys spread over a
     * memtable of many more) has other keys between each two of its own: each search climbs from
     * the last insert's place to the level that crosses the gap and descends from there. It can
     * start from the head only when a node of the top level lies between two of the batch's keys
     * (each such node once). Keys that share their first 8 bytes compare whole.
     */
    @Test
    void aSortedBatchIntoAFullListClimbsFromTheLastInsert() {
        long seed = System.nanoTime();
        System.out.println("AscendingWritesTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (ConcurrentSkipList list = ConcurrentSkipList.builder().build()) {
            TreeMap<String, String> model = new TreeMap<>();
            for (int i = 0; i < 30_000; i++) { // in random order: no hints
                String k = "customer-" + r.nextInt(1_000_000);
                list.put(bytes(k), bytes("old"));
                model.put(k, "old");
            }
            long before = hinted(list);
            TreeMap<String, String> batch = new TreeMap<>();
            while (batch.size() < 2_000) {
                batch.put("customer-" + r.nextInt(1_000_000), "new");
            }
            for (var e : batch.entrySet()) {
                list.put(bytes(e.getKey()), bytes(e.getValue()));
            }
            model.putAll(batch);
            ConcurrentSkipList.Structure st = list.verify();
            long topNodes = st.nodesPerLevel()[st.levels() - 1];
            assertThat(hinted(list) - before).as("batch writes that started after the last insert, seed %d", seed)
                    .isBetween(batch.size() - 1 - topNodes, (long) batch.size() - 1);
            assertThat(st.keys()).as("seed %d", seed).isEqualTo(model.size());
            for (var e : model.entrySet()) {
                Entry got = list.get(bytes(e.getKey()));
                assertThat(got).as("key %s, seed %d", e.getKey(), seed).isNotNull();
                assertThat(new String(got.value().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        java.nio.charset.StandardCharsets.UTF_8)).as("key %s, seed %d", e.getKey(), seed)
                        .isEqualTo(e.getValue());
            }
            var expected = model.keySet().iterator();
            for (Entry e : list) {
                assertThat(new String(e.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        java.nio.charset.StandardCharsets.UTF_8)).as("seed %d", seed).isEqualTo(expected.next());
            }
            assertThat(expected.hasNext()).as("keys missing from the list, seed %d", seed).isFalse();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Threads (more than cores) each write an ascending run of keys interleaved with the others'
     * and with random keys, so the place after a thread's last insert is often stale: every write
     * must land once, where a search from the head would put it. Checked against a TreeMap.
     */
    @Test
    void interleavedAscendingWritersBuildTheSameList() throws Exception {
        long seed = System.nanoTime();
        System.out.println("AscendingWritesTest seed " + seed);
        int threads = Runtime.getRuntime().availableProcessors() * 2 + 1;
        int perThread = 4000;
        try (ConcurrentSkipList list = ConcurrentSkipList.builder().build()) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            List<TreeMap<Long, Long>> written = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                TreeMap<Long, Long> mine = new TreeMap<>();
                written.add(mine);
                Thread w = new Thread(() -> {
                    SplittableRandom r = new SplittableRandom(seed + id);
                    try {
                        start.await();
                        for (long i = 0; i < perThread; i++) {
                            long k = r.nextInt(10) == 0
                                    ? (r.nextLong() & Long.MAX_VALUE) | 1L << 62 // a random key above the runs
                                    : i * threads + id;                          // this thread's run
                            if (r.nextInt(8) == 0) {
                                k = i * threads + r.nextInt(threads);           // another thread's key, maybe before
                            }
                            list.put(key(k), key(id));
                            mine.put(k, (long) id);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join();
            }
            assertThat(failures).isEmpty();
            TreeMap<Long, Long> keys = new TreeMap<>();
            long versions = 0;
            for (TreeMap<Long, Long> m : written) {
                keys.putAll(m);
            }
            ConcurrentSkipList.Structure st = list.verify();
            assertThat(st.keys()).as("keys, seed %d", seed).isEqualTo(keys.size());
            for (Entry e : list) {
                long k = ByteBuffer.wrap(e.key().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).getLong(0);
                assertThat(keys.pollFirstEntry().getKey()).as("next key in order, seed %d", seed).isEqualTo(k);
                versions++;
            }
            assertThat(keys).as("keys missing from the list, seed %d", seed).isEmpty();
            assertThat(versions).isEqualTo(st.keys());
            assertThat(hinted(list)).as("ascending writes that started after the last insert").isPositive();
        }
    }
}
