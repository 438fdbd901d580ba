package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/** {@link PageStoreBuilder#maxSize}: what a store does at and below its limit. */
class StoreLimitsTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Puts 20 KB values until the store is full, then 100-byte values under other keys until not
     * even those fit; returns how many large values went in.
     */
    private static int fill(PageStore store, SplittableRandom r) throws IOException {
        int large = put(store, r, "k", 20_000);
        put(store, r, "small", 100);
        return large;
    }

    private static int put(PageStore store, SplittableRandom r, String prefix, int valueBytes) throws IOException {
        for (int i = 0; i < 100_000; i++) {
            byte[] v = new byte[valueBytes];
            r.nextBytes(v);
            try {
                store.put(b(prefix + i), v);
            } catch (SkipstoreException e) {
                assertThat(e.problem()).isEqualTo(Problem.NO_SPACE);
                return i;
            }
        }
        throw new AssertionError("never full");
    }

    /** A limit between two chunk edges: the store uses the last chunk up to it, and never passes it. */
    @Test
    void aLimitInsideAChunkIsUsedUpToItAndNeverPassed() throws IOException {
        Path file = dir.resolve("mid.skip");
        long limit = 1000 << 10; // 1000 pages of 1 KiB; chunks end at 512 and 1024
        try (PageStore store = PageStore.builder().maxSize(limit).pageSize(1024).seed(1).open(file)) {
            int n = fill(store, new SplittableRandom(3));
            assertThat(Files.size(file)).isLessThanOrEqualTo(limit).isGreaterThan(768 << 10);
            store.verify();
            assertThat(store.count()).isGreaterThan(n); // the large values and the small ones after them
        }
        try (PageStore store = PageStore.open(file)) {
            store.verify();
        }
    }

    @Test
    void aFullNoSyncStoreStillDeletesWithoutSyncAndPutsAgainAfterwards() throws IOException {
        Path file = dir.resolve("nosync.skip");
        try (PageStore store = PageStore.builder().durability(Durability.NO_SYNC).maxSize(1 << 20).seed(1).open(file)) {
            int n = fill(store, new SplittableRandom(7));
            assertThat(n).isGreaterThan(10);
            // Deleting is how a user frees space: it must work without sync(), auto-committed ...
            assertThat(store.delete(b("k0"))).isTrue();
            assertThat(store.delete(b("k1"))).isTrue();
            // ... and in a write transaction.
            try (WriteTransaction txn = store.write()) {
                for (int i = 2; i < 6; i++) {
                    assertThat(txn.delete(b("k" + i))).isTrue();
                }
                txn.commit();
            }
            long count = store.count();
            // The freed space is usable again, still without sync(). (Not necessarily by 20 KB
            // values: a run needs its pieces side by side, and the free space is fragmented.)
            byte[] v = new byte[1000];
            for (int i = 0; i < 4; i++) {
                store.put(b("again" + i), v);
            }
            assertThat(store.count()).isEqualTo(count + 4);
            assertThat(Files.size(file)).isLessThanOrEqualTo(1 << 20);
            store.verify();
        }
        try (PageStore store = PageStore.open(file)) {
            store.verify();
            assertThat(store.get(b("k0"))).isNull();
            assertThat(store.get(b("again3"))).hasSize(1000);
        }
    }

    @Test
    void whenNothingCanBeFreedTheErrorSaysWhatIsFreeWhatIsHeldAndWhatToDo() throws IOException {
        try (PageStore store = PageStore.builder().durability(Durability.NO_SYNC).maxSize(1 << 20).pageSize(1024)
                .seed(1).open(dir.resolve("held.skip"))) {
            SplittableRandom r = new SplittableRandom(11);
            int n = fill(store, r);
            try (ReadTransaction old = store.read()) { // pins every block the deletes free
                assertThat(store.delete(b("k0"))).isTrue(); // its 20 KB stay held for the reader
                assertThat(store.delete(b("k1"))).isTrue();
                byte[] v = new byte[20_000];
                assertThatThrownBy(() -> {
                    for (int i = 0; i < n; i++) {
                        store.put(b("new" + i), v);
                    }
                }).isInstanceOfSatisfying(SkipstoreException.class, e -> {
                    assertThat(e.problem()).isEqualTo(Problem.NO_SPACE);
                    assertThat(e.getMessage()).contains("of 1024 pages (1024 bytes each) are free")
                            .contains("this needs a block of").contains("held for open read transactions")
                            .contains("reads commit " + old.id()).contains("maxSize");
                });
            }
        }
    }

    /** A store with no write buffer pool writes every transaction from buffers freed at its end. */
    @Test
    void aStoreWithoutAWriteBufferPoolCommitsAndReopensAndANegativeOneIsRefused() {
        assertThatThrownBy(() -> PageStore.builder().writeBufferPoolBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        Path file = dir.resolve("nopool.skip");
        byte[] v = new byte[3000];
        try (PageStore store = PageStore.builder().writeBufferPoolBytes(0).open(file)) {
            for (int t = 0; t < 5; t++) {
                try (WriteTransaction w = store.write()) {
                    for (int i = 0; i < 200; i++) {
                        w.put(("k" + t + "-" + i).getBytes(StandardCharsets.UTF_8), v);
                    }
                    w.commit();
                }
            }
        }
        try (PageStore store = PageStore.builder().open(file); ReadTransaction r = store.read()) {
            assertThat(r.count()).isEqualTo(1000);
        }
    }

    @Test
    void aMaxSizeBelowTheSmallestStoreIsRefusedAndCreatesNoFile() {
        Path file = dir.resolve("tiny.skip");
        // A store maps at least 16 pages (8 KiB at the default 512 bytes): a limit of 4 KiB is refused.
        assertThatThrownBy(() -> PageStore.builder().maxSize(4096).open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096").hasMessageContaining("8192");
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> PageStore.builder().maxSize(4096).openInMemory())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096").hasMessageContaining("8192");
    }

    @Test
    void aMaxSizeBelowTheFilesSizeIsRefusedAndTheStoreIsLeftAsItWas() throws IOException {
        Path file = dir.resolve("grown.skip");
        byte[] v = new byte[20_000];
        try (PageStore store = PageStore.open(file)) {
            for (int i = 0; i < 10; i++) {
                store.put(b("k" + i), v);
            }
        }
        long size = Files.size(file);
        assertThat(size).isGreaterThan(64 << 10);
        assertThatThrownBy(() -> PageStore.builder().maxSize(64 << 10).open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(64 << 10)).hasMessageContaining(String.valueOf(size));
        assertThat(Files.size(file)).isEqualTo(size);
        try (PageStore store = PageStore.builder().maxSize(size).open(file)) { // the file's own size is fine
            assertThat(store.count()).isEqualTo(10);
            assertThat(store.delete(b("k0"))).isTrue();
            store.put(b("k0"), v);
            store.verify();
        }
        assertThat(Files.size(file)).isEqualTo(size);
    }

    @Test
    void aPreallocationPastMaxSizeIsRefused() {
        Path file = dir.resolve("pre.skip");
        assertThatThrownBy(() -> PageStore.builder().preallocate(4 << 20).maxSize(1 << 20).open(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(4 << 20)).hasMessageContaining(String.valueOf(1 << 20));
    }
}
