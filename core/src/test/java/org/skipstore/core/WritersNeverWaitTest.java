package org.skipstore.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.skipstore.core.internal.WriteHook;

/**
 * Issue 13, findings 1 and 2: a writer held inside its write (as a preempted thread is) stops no
 * other writer, and a thread's snapshot sees its own finished writes. The held writer is parked
 * by a test hook at a named point of the protocol ({@link ParkedWriter}); the deadlines only
 * catch a hang, they time nothing.
 */
class WritersNeverWaitTest {

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static String s(Entry e) {
        return new String(e.valueBytes(), UTF_8);
    }

    @ParameterizedTest(name = "held at point {0}")
    @ValueSource(ints = {WriteHook.BEFORE_LINK, WriteHook.LINKED})
    void aWriterHeldInItsWriteStopsNoOtherWriter(int point) throws Exception {
        int threads = 3;
        int perThread = 5_000; // several times the old completion ring (1024 sequences)
        try (ConcurrentSkipList sl = new ConcurrentSkipList();
                ParkedWriter<InsertResult> held = ParkedWriter.start(point, () -> sl.put(b("held"), b("h")));
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    int inserted = 0;
                    for (int i = 0; i < perThread; i++) {
                        if (sl.put(b("t" + id + ":" + i), b("v")) == InsertResult.INSERTED) {
                            inserted++;
                        }
                    }
                    return inserted;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(60, TimeUnit.SECONDS)).as("writes completed while one writer was held").isEqualTo(perThread);
            }
            assertThat(held.done()).isFalse();
            assertThat(sl.get(b("t2:4999"))).isNotNull();
            assertThat(held.release()).isEqualTo(InsertResult.INSERTED);
            assertThat(sl.verify().versions()).isEqualTo(threads * perThread + 1);
        }
    }

    @ParameterizedTest(name = "other writer held at point {0}")
    @ValueSource(ints = {WriteHook.BEFORE_LINK, WriteHook.LINKED})
    void aThreadSeesItsOwnWriteWhileAnotherWriterIsHeld(int point) {
        try (ConcurrentSkipList sl = new ConcurrentSkipList();
                ParkedWriter<InsertResult> held = ParkedWriter.start(point, () -> sl.put(b("a-held"), b("h")))) {
            for (int i = 0; i < 100; i++) {
                byte[] key = b("mine" + i);
                assertThat(sl.put(key, b("v" + i))).isEqualTo(InsertResult.INSERTED);
                try (Snapshot snap = sl.snapshot()) {
                    assertThat(snap.get(key)).as("snapshot.get after my put %d", i).isNotNull();
                    assertThat(snap.stream().anyMatch(e -> e.key().mismatch(java.lang.foreign.MemorySegment.ofArray(key)) < 0))
                            .as("snapshot iteration after my put %d", i).isTrue();
                    try (Cursor c = snap.cursor()) {
                        assertThat(c.seek(key)).isTrue();
                        assertThat(c.keyLength()).isEqualTo(key.length);
                        assertThat(new String(c.entry().keyBytes(), UTF_8)).isEqualTo("mine" + i);
                    }
                }
                assertThat(sl.stream().filter(e -> new String(e.keyBytes(), UTF_8).equals("mine" + 0)).count()).isEqualTo(1);
            }
            assertThat(held.release()).isEqualTo(InsertResult.INSERTED);
        }
    }

    @Test
    void aHeldWritersVersionIsDecidedOnceByTheFirstSnapshotThatMeetsIt() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            sl.put(b("k"), b("old"));
            try (ParkedWriter<InsertResult> held = ParkedWriter.start(WriteHook.LINKED, () -> sl.put(b("k"), b("held")))) {
                Snapshot before = sl.snapshot();
                assertThat(s(before.get(b("k")))).as("linked but unstamped: stamped above the snapshot").isEqualTo("old");
                Snapshot after = sl.snapshot();
                assertThat(s(after.get(b("k")))).as("the reader stamped it: later snapshots see it").isEqualTo("held");
                // a newer write of the key goes on without waiting for the held one
                assertThat(sl.put(b("k"), b("newest"))).isEqualTo(InsertResult.INSERTED);
                assertThat(s(sl.get(b("k")))).isEqualTo("newest");
                assertThat(held.release()).isEqualTo(InsertResult.INSERTED);
                assertThat(s(before.get(b("k")))).as("repeatable").isEqualTo("old");
                assertThat(s(after.get(b("k")))).as("repeatable").isEqualTo("held");
                assertThat(s(sl.get(b("k")))).isEqualTo("newest");
                List<Long> sequences = new ArrayList<>();
                for (long x = sl.skipList().seekKey(java.lang.foreign.MemorySegment.ofArray(b("k"))); x != 0;
                        x = sl.skipList().next(x, 0)) {
                    sequences.add(sl.skipList().stampOf(x));
                }
                assertThat(sequences).as("newest first, in sequence order").hasSize(3).isSortedAccordingTo((p, q) -> Long.compare(q, p));
                assertThat(sl.verify().versions()).isEqualTo(3);
            }
        }
    }

    @Test
    void aNewerWriteOfAKeyDoesNotWaitForAHeldOlderOne() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList();
                ParkedWriter<Boolean> held = ParkedWriter.start(WriteHook.LINKED, () -> sl.delete(b("k")))) {
            // the held delete is linked, unstamped; this insert-if-absent must decide against it
            assertThat(sl.tryInsert(b("k"), b("v"))).isEqualTo(InsertResult.INSERTED);
            assertThat(s(sl.getLive(b("k")))).isEqualTo("v");
            assertThat(held.release()).isFalse();
            assertThat(s(sl.getLive(b("k")))).isEqualTo("v");
            assertThat(sl.size()).isEqualTo(1);
            sl.verify();
        }
    }

    /** Finding 2 without a hook: background writers, and the caller's own write read back at once. */
    @Test
    void snapshotsSeeTheCallersCompletedWritesUnderBackgroundWriters() throws Exception {
        int background = 4;
        AtomicBoolean stop = new AtomicBoolean();
        try (ConcurrentSkipList sl = new ConcurrentSkipList();
                ExecutorService pool = Executors.newFixedThreadPool(background)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < background; t++) {
                writers.add(pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        sl.put(b("bg" + r.nextInt(1_000_000)), b("x"));
                    }
                }));
            }
            int misses = 0;
            int rounds = 20_000;
            for (int i = 0; i < rounds; i++) {
                byte[] key = b("own" + i);
                sl.put(key, b("v"));
                try (Snapshot snap = sl.snapshot()) {
                    if (snap.get(key) == null) {
                        misses++;
                    }
                }
            }
            stop.set(true);
            for (Future<?> w : writers) {
                w.get(60, TimeUnit.SECONDS);
            }
            assertThat(misses).as("snapshots that missed the caller's own completed put, of %d", rounds).isZero();
            sl.verify();
        }
    }
}
