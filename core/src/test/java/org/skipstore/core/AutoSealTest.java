package org.skipstore.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.core.ConcurrentSkipList.WhenFull.REFUSE;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.skipstore.core.internal.WriteHook;

/**
 * Issue 13, findings 3-5: a full list seals itself exactly once and tells its owner; a batch is
 * admitted whole or not at all; a live key is found whatever the limits; every attempt counts.
 */
class AutoSealTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static String key(int i) {
        return String.format("key%08d", i);
    }

    @Test
    void aListFullOfMemorySealsItselfOnceAndHandsOverItsSuccessor() throws Exception {
        List<ConcurrentSkipList.Sealed> told = new CopyOnWriteArrayList<>();
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(2).maxMemoryBytes(64 * 1024)
                .onSeal(told::add).build()) {
            int inserted = 0;
            InsertResult r;
            while ((r = sl.put(b(key(inserted)), new byte[100])) == InsertResult.INSERTED) {
                inserted++;
            }
            assertThat(r).as("the write that crossed the limit").isEqualTo(InsertResult.SEALED);
            assertThat(sl.isSealed()).isTrue();
            assertThat(sl.put(b("later"), b("v"))).isEqualTo(InsertResult.SEALED);
            assertThatThrownBy(() -> sl.delete(b(key(0)))).isInstanceOf(MemtableFullException.class);
            ConcurrentSkipList.Sealed sealed = sl.whenSealed().get(60, TimeUnit.SECONDS);
            assertThat(told).as("told exactly once").containsExactly(sealed);
            assertThat(sealed.frozen()).isSameAs(sl);
            try (ConcurrentSkipList fresh = sealed.fresh()) {
                assertThat(sl.successor()).isSameAs(fresh);
                assertThat(fresh.maxMemoryBytes()).isEqualTo(sl.maxMemoryBytes());
                assertThat(fresh.isSealed()).isFalse();
                assertThat(fresh.put(b(key(inserted)), new byte[100])).isEqualTo(InsertResult.INSERTED);
                // the frozen list holds exactly the writes that reported INSERTED
                assertThat(sl.stream().count()).isEqualTo(inserted);
                assertThat(sl.verify().versions()).isEqualTo(inserted);
                assertThat(sl.get(b("later"))).isNull();
                assertThatThrownBy(sl::seal).isInstanceOf(IllegalStateException.class).hasMessageContaining("already sealed");
                // the successor seals itself too, and tells the same listener
                int more = 1;
                while (fresh.put(b(key(inserted + more)), new byte[100]) == InsertResult.INSERTED) {
                    more++;
                }
                assertThat(fresh.whenSealed().get(60, TimeUnit.SECONDS).frozen()).isSameAs(fresh);
                assertThat(told).hasSize(2);
                fresh.successor().close();
            }
        }
    }

    @Test
    void aListFullOfEntriesSealsItselfAndRefusingStaysAvailable() {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().maxEntries(3).build()) {
            for (int i = 0; i < 3; i++) {
                assertThat(sl.put(b(key(i)), b("v"))).isEqualTo(InsertResult.INSERTED);
            }
            assertThat(sl.put(b(key(3)), b("v"))).isEqualTo(InsertResult.SEALED);
            assertThat(sl.whenSealed()).isCompleted();
            assertThat(sl.successor().put(b(key(3)), b("v"))).isEqualTo(InsertResult.INSERTED);
            sl.successor().close();
        }
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().maxEntries(3).whenFull(REFUSE).build()) {
            for (int i = 0; i < 3; i++) {
                sl.put(b(key(i)), b("v"));
            }
            assertThat(sl.put(b(key(3)), b("v"))).isEqualTo(InsertResult.OUT_OF_MEMORY);
            assertThat(sl.isSealed()).isFalse();
            assertThat(sl.successor()).isNull();
            assertThat(sl.whenSealed()).isNotDone();
        }
    }

    /** The seal waits for nobody: a writer held mid-write finishes in the frozen list afterwards. */
    @Test
    void aSealWithAWriterUnderWayCompletesWhenThatWriterLeaves() throws Exception {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().maxEntries(2).build()) {
            sl.put(b("a"), b("1"));
            try (ParkedWriter<InsertResult> held = ParkedWriter.start(WriteHook.LINKED, () -> sl.put(b("b"), b("2")))) {
                assertThat(sl.put(b("c"), b("3"))).as("full: this write seals").isEqualTo(InsertResult.SEALED);
                assertThat(sl.whenSealed()).as("the held write is still under way").isNotDone();
                assertThat(sl.successor().put(b("c"), b("3"))).as("writers go on in the successor").isEqualTo(InsertResult.INSERTED);
                assertThat(held.release()).isEqualTo(InsertResult.INSERTED);
                ConcurrentSkipList.Sealed sealed = sl.whenSealed().get(60, TimeUnit.SECONDS);
                assertThat(sealed.frozen().stream().map(e -> new String(e.keyBytes(), UTF_8))).containsExactly("a", "b");
                sealed.fresh().close();
            }
        }
    }

    /** Many writers, many auto-seals: every acknowledged write is in exactly one list of the chain. */
    @Test
    void everyWriteLandsInExactlyOneListOfTheChain() throws Exception {
        int threads = 6;
        int perThread = 20_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ConcurrentSkipList> chain = new CopyOnWriteArrayList<>();
        ConcurrentSkipList first = ConcurrentSkipList.builder().shards(2).maxMemoryBytes(256 * 1024)
                .onSeal(s -> chain.add(s.frozen())).build();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    ConcurrentSkipList m = first;
                    for (int i = 0; i < perThread; i++) {
                        InsertResult r;
                        while ((r = m.tryInsert(b(id + ":" + i), b("v"))) == InsertResult.SEALED) {
                            if (!m.isSealed() || m.successor() == null) {
                                throw new AssertionError("SEALED from a list not sealed, or without a successor: " + id + ":" + i);
                            }
                            m = m.successor();
                        }
                        if (r != InsertResult.INSERTED) {
                            throw new AssertionError(r + " for " + id + ":" + i);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
        assertThat(failure.get()).isNull();
        ConcurrentSkipList last = first;
        while (last.successor() != null) {
            last = last.successor();
        }
        chain.add(last);
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (ConcurrentSkipList m : chain) {
            for (Entry e : m) {
                assertThat(seen.add(new String(e.keyBytes(), UTF_8))).as("written twice: %s", e).isTrue();
                total++;
            }
            m.verify();
        }
        assertThat(total).as("every write in exactly one list").isEqualTo((long) threads * perThread);
        assertThat(chain.size()).as("lists in the chain (each sealed once)").isGreaterThan(2);
        chain.forEach(ConcurrentSkipList::close);
    }

    /** Finding 4: a shard cannot use another shard's idle chunk; the batch must not be written in part. */
    @Test
    void aBatchIsWrittenWholeOrNotAtAll() throws Exception {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(2).maxMemoryBytes(64 * 1024)
                .whenFull(REFUSE).build()) {
            Thread other = Thread.ofPlatform().start(() -> sl.put(b("other"), b("v"))); // holds an idle chunk
            other.join();
            // 2000-byte values leave each 8-KiB chunk of this thread's shard about 1.9 KiB short,
            // and the put that fails leaves that much in the last one: room for some of the
            // batch's 20 nodes of about 240 bytes, not for all; the other shard's chunk is idle
            int n = 0;
            while (sl.put(b(key(n)), new byte[2000]) == InsertResult.INSERTED) {
                n++;
            }
            List<Map.Entry<byte[], byte[]>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(Map.entry(b("batch" + i), new byte[200]));
            }
            List<InsertResult> results = sl.insertBatch(batch);
            long written = batch.stream().filter(e -> sl.get(e.getKey()) != null).count();
            assertThat(written).as("entries of the batch written: " + results).isIn(0L, 20L);
            assertThat(results).containsOnly(written == 0 ? InsertResult.OUT_OF_MEMORY : InsertResult.INSERTED);
        }
    }

    /** Finding 5: a live key is found whatever the limits; every attempt is counted. */
    @Test
    void aLiveKeyIsFoundWhateverLimitIsFullAndEveryAttemptCounts() {
        try (ConcurrentSkipList byEntries = ConcurrentSkipList.builder().maxEntries(1).whenFull(REFUSE).build();
                ConcurrentSkipList byMemory = ConcurrentSkipList.builder().shards(1).maxMemoryBytes(16 * 1024)
                        .whenFull(REFUSE).build()) {
            for (ConcurrentSkipList sl : List.of(byEntries, byMemory)) {
                sl.put(b("live"), b("1"));
                int i = 0;
                while (sl.put(b(key(i)), new byte[100]) == InsertResult.INSERTED) {
                    i++;
                }
                ConcurrentSkipList.GetOrInsert g = sl.getOrInsert(b("live"), b("2"));
                assertThat(g.result()).as("limit full: %s", sl).isEqualTo(InsertResult.DUPLICATE_KEY);
                assertThat(new String(g.entry().valueBytes(), UTF_8)).isEqualTo("1");
                assertThat(sl.getOrInsert(b("absent"), new byte[8192]).result()).isEqualTo(InsertResult.OUT_OF_MEMORY);
                long before = sl.totalInserts();
                assertThat(sl.insertBatch(List.of(Map.entry(b("x"), new byte[100]), Map.entry(b("y"), new byte[100]))))
                        .containsOnly(InsertResult.OUT_OF_MEMORY);
                assertThat(sl.totalInserts()).as("a batch refused at admission counts its attempts").isEqualTo(before + 2);
            }
        }
    }
}
