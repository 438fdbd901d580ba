package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;

/**
 * The flusher on its own, in the orders that the engine's threads cannot be made to take on
 * purpose: a checkpoint asked for after the flusher has stopped (a failed flush, or the close)
 * must fail at once, not wait for a thread that is gone.
 */
class FlusherTest {

    /** A memtable with one entry, sealed and published, and a flusher whose first flush fails at {@code failAt}. */
    private static Flusher failingFlusher(PageStore store, Point failAt) throws IOException {
        Layers layers = new Layers(previous -> ConcurrentSkipList.builder().maxMemoryBytes(1 << 20).build(), 2,
                new StoreView(store.read(), 0), 0, new Stalls());
        layers.active().table.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        layers.active().lastWholeSequence = 1;
        layers.seal();
        layers.publish(1);
        return new Flusher(store, layers, null, p -> {
            if (p == failAt) {
                throw new IOException("simulated failure at " + p);
            }
        }, 0);
    }

    @Test
    void aCheckpointAskedForAfterAFlushFailedFailsInsteadOfWaitingForever() throws Exception {
        try (PageStore store = PageStore.builder().openInMemory()) {
            Flusher f = failingFlusher(store, Point.FLUSH_WRITTEN);
            Thread t = Thread.ofPlatform().start(f);
            t.join(); // the flush failed and the flusher ended: the order a checkpoint loses the race in
            CompletableFuture<Void> done = new CompletableFuture<>();
            f.request(new Flusher.Checkpoint(1, Map.of(), done));
            assertThat(done).isCompletedExceptionally();
        }
    }

    @Test
    void aCheckpointAskedForAfterTheFlusherStoppedFailsInsteadOfWaitingForever() throws Exception {
        try (PageStore store = PageStore.builder().openInMemory()) {
            Flusher f = failingFlusher(store, null);
            f.stop();
            Thread t = Thread.ofPlatform().start(f);
            t.join();
            CompletableFuture<Void> done = new CompletableFuture<>();
            f.request(new Flusher.Checkpoint(1, Map.of(), done));
            assertThat(done).isCompletedExceptionally();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One batch in {@link BatchFormat}: puts of {@code kv} (key, value, ...); a null value is a
     * delete, and a key "meta:N" sets commit metadata N.
     */
    private static MemorySegment batch(String... kv) {
        long size = BatchFormat.HEADER.byteSize();
        for (int i = 0; i < kv.length; i += 2) {
            size += BatchFormat.OP.byteSize() + b(kv[i].startsWith("meta:") ? kv[i].substring(5) : kv[i]).length
                    + (kv[i + 1] == null ? 0 : b(kv[i + 1]).length);
        }
        MemorySegment m = Arena.ofAuto().allocate(size);
        m.set(BatchFormat.U32, BatchFormat.COUNT, kv.length / 2);
        long at = BatchFormat.HEADER.byteSize();
        for (int i = 0; i < kv.length; i += 2) {
            boolean meta = kv[i].startsWith("meta:");
            byte[] k = b(meta ? kv[i].substring(5) : kv[i]);
            byte[] v = kv[i + 1] == null ? new byte[0] : b(kv[i + 1]);
            m.set(ValueLayout.JAVA_BYTE, at + BatchFormat.KIND,
                    meta ? BatchFormat.METADATA : kv[i + 1] == null ? BatchFormat.DELETE : BatchFormat.PUT);
            m.set(BatchFormat.U32, at + BatchFormat.KEY_LENGTH, k.length);
            m.set(BatchFormat.U32, at + BatchFormat.VALUE_LENGTH, v.length);
            at += BatchFormat.OP.byteSize();
            MemorySegment.copy(k, 0, m, ValueLayout.JAVA_BYTE, at, k.length);
            at += k.length;
            MemorySegment.copy(v, 0, m, ValueLayout.JAVA_BYTE, at, v.length);
            at += v.length;
        }
        return m;
    }

    /**
     * Several sealed memtables flushed in one transaction hold what flushing them one by one
     * would: a newer memtable's put or delete of a key wins over an older one's, an older one's
     * split batch (no log) is written whole and then overwritten by the newer memtable, and the
     * flushed sequence is the newest memtable's.
     */
    @Test
    void sealedMemtablesFlushedTogetherKeepTheNewestVersionOfEachKey() throws IOException, InterruptedException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            Layers layers = new Layers(previous -> ConcurrentSkipList.builder().maxMemoryBytes(1 << 20).build(), 2,
                    new StoreView(store.read(), 0), 0, new Stalls());
            Layer older = layers.active();
            older.table.put(b("a"), b("a1"));
            older.table.put(b("b"), b("b1"));
            older.table.put(b("c"), b("c1"));
            older.table.put(b("s"), b("s1")); // the first part of batch 4
            older.lastWholeSequence = 3;
            older.lastSequence = 4;
            older.splitBatch = batch("s", "s1", "t", "t1", "u", null); // batch 4 whole
            layers.seal();
            Layer newer = layers.active();
            newer.table.put(b("t"), b("t1")); // the rest of batch 4
            newer.table.delete(b("u"));
            newer.table.delete(b("a")); // batch 5
            newer.table.put(b("b"), b("b2"));
            newer.table.put(b("d"), b("d2"));
            newer.table.put(b("t"), b("t2")); // batch 6: after batch 4, wins over its split copy
            newer.lastWholeSequence = 6;
            newer.lastSequence = 6;
            layers.seal();
            layers.publish(6);
            Flusher f = new Flusher(store, layers, null, Point.Hook.NONE, 0);
            List<Layer> sealed = layers.awaitSealed(0);
            assertThat(sealed).containsExactly(older, newer);

            f.flush(sealed);

            try (ReadTransaction r = store.read()) {
                Map<String, String> got = new java.util.TreeMap<>();
                r.list(org.skipstore.pagestore.Range.all()).forEach(kv -> got.put(
                        new String(kv.key(), StandardCharsets.UTF_8), new String(kv.value(), StandardCharsets.UTF_8)));
                assertThat(got).containsExactly(Map.entry("b", "b2"), Map.entry("c", "c1"), Map.entry("d", "d2"),
                        Map.entry("s", "s1"), Map.entry("t", "t2"));
                assertThat(r.metadata(Flusher.FLUSHED)).isEqualTo(Sequences.bytes(6));
            }
            assertThat(layers.peek().state().sealed).isEmpty();
            assertThat(f.flushedSequence()).isEqualTo(6);
        }
    }

    /**
     * Without a log, the flush of a memtable that holds only the first part of a batch writes the
     * batch whole: its commit metadata too, over what the memtable's whole batches set, and with
     * it the batch's sequence as flushed.
     */
    @Test
    void aSplitBatchFlushedWholeCommitsItsMetadataWithIt() throws IOException, InterruptedException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            Layers layers = new Layers(previous -> ConcurrentSkipList.builder().maxMemoryBytes(1 << 20).build(), 2,
                    new StoreView(store.read(), 0), 0, new Stalls());
            Layer older = layers.active();
            older.table.put(b("a"), b("a1"));
            older.metadata = Map.of("offset", b("1"), "other", b("x"));
            older.table.put(b("s"), b("s2")); // the first part of batch 2
            older.lastWholeSequence = 1;
            older.lastSequence = 2;
            older.splitBatch = batch("s", "s2", "meta:offset", "2", "t", "t2");
            layers.seal();
            Layer newer = layers.active();
            newer.table.put(b("t"), b("t2"));
            newer.metadata = Map.of("offset", b("2"));
            newer.lastWholeSequence = 2;
            newer.lastSequence = 2;
            layers.publish(2);
            Flusher f = new Flusher(store, layers, null, Point.Hook.NONE, 0);

            f.flush(layers.awaitSealed(0));

            try (ReadTransaction r = store.read()) {
                assertThat(r.get(b("t"))).isEqualTo(b("t2"));
                assertThat(r.metadata("offset")).as("the split batch's, over its memtable's").isEqualTo(b("2"));
                assertThat(r.metadata("other")).isEqualTo(b("x"));
                assertThat(r.metadata(Flusher.FLUSHED)).isEqualTo(Sequences.bytes(2));
            }
        }
    }
}
