package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.pagestore.PageStore;

/**
 * The flusher on its own, in the orders that the engine's threads cannot be made to take on
 * purpose: a checkpoint asked for after the flusher has stopped (a failed flush, or the close)
 * must fail at once, not wait for a thread that is gone.
 */
class FlusherTest {

    /** A memtable with one entry, sealed and published, and a flusher whose first flush fails at {@code failAt}. */
    private static Flusher failingFlusher(PageStore store, Point failAt) throws IOException {
        Layers layers = new Layers(() -> ConcurrentSkipList.builder().maxMemoryBytes(1 << 20).build(), 2,
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
}
