package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;
import org.skipstore.pagestore.internal.WriteTxn;

/** The public API: behaviour, limits and bad input. */
class PageStoreTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keysAreOrderedAsUnsignedBytesAndTheEmptyKeyIsTheSmallest() throws IOException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            store.put(new byte[] {(byte) 0xFF}, b("ff"));
            store.put(new byte[] {0x01}, b("01"));
            store.put(new byte[0], b("empty"));
            store.put(new byte[] {0x01, 0x00}, b("0100"));
            List<KeyValue> all = store.list(Range.all());
            assertThat(all).extracting(kv -> new String(kv.value(), StandardCharsets.UTF_8))
                    .containsExactly("empty", "01", "0100", "ff");
        }
    }

    @Test
    void aWriteTransactionIsInvisibleToReadersUntilItCommitsAndReadersKeepTheirSnapshot() throws IOException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            store.put(b("a"), b("1"));
            try (ReadTransaction before = store.read(); WriteTransaction w = store.write()) {
                w.put(b("a"), b("2"));
                w.put(b("b"), b("3"));
                assertThat(w.get(b("a"))).isEqualTo(b("2")); // the writer reads its own changes
                assertThat(store.get(b("a"))).isEqualTo(b("1"));
                w.commit();
                assertThat(store.get(b("a"))).isEqualTo(b("2"));
                assertThat(before.get(b("a"))).isEqualTo(b("1")); // the old snapshot is unchanged
                assertThat(before.get(b("b"))).isNull();
                assertThat(before.count()).isEqualTo(1);
            }
            try (WriteTransaction w = store.write()) {
                w.delete(b("a")); // closed without commit: aborted
            }
            assertThat(store.get(b("a"))).isEqualTo(b("2"));
        }
    }

    @Test
    void aStoreSurvivesReopeningAndKeepsItsPageSizeAndPromotion() throws IOException {
        Path file = dir.resolve("s.skip");
        try (PageStore store = PageStore.builder().pageSize(8192).promotion(8).open(file)) {
            try (WriteTransaction w = store.write()) {
                for (int i = 0; i < 5000; i++) {
                    w.put(b("key" + i), b("value" + i));
                }
                w.commit();
            }
        }
        assertThat(PageFiles.pageSizeOf(file)).isEqualTo(8192);
        try (PageStore store = PageStore.open(file)) { // no page size given: the file's own
            PageStoreStats s = store.verify();
            assertThat(s.entries()).isEqualTo(5000);
            assertThat(s.pageSize()).isEqualTo(8192);
            assertThat(s.promotion()).isEqualTo(8);
            assertThat(s.levels()).isGreaterThan(2);
            assertThat(s.partitions(0)).isPositive();
            assertThat(store.stats()).isEqualTo(s); // nothing changed: equal by value, arrays included
            assertThat(store.fileBytes()).isEqualTo(s.fileBytes()).isEqualTo(Files.size(file));
            assertThat(store.get(b("key4321"))).isEqualTo(b("value4321"));
        }
        assertThatThrownBy(() -> PageStore.builder().pageSize(4096).open(file))
                .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.PAGE_SIZE));
    }

    @Test
    void valuesSpanningManyPagesAreStoredOutOfLineAndFreedWithTheirKey() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        try (PageStore store = PageStore.builder().openInMemory()) {
            byte[] big = new byte[3 << 20];
            r.nextBytes(big);
            store.put(b("big"), big);
            store.put(b("small"), b("x"));
            assertThat(store.get(b("big"))).isEqualTo(big);
            try (ReadTransaction t = store.read()) {
                MemorySegment v = t.get(MemorySegment.ofArray(b("big")));
                assertThat(v.byteSize()).isEqualTo(big.length); // zero-copy, one segment
            }
            PageStoreStats with = store.stats();
            assertThat(with.outOfLineValues()).isEqualTo(1);
            byte[] other = Arrays.copyOf(big, big.length / 2);
            store.put(b("big"), other); // replaced: the old block is freed
            assertThat(store.get(b("big"))).isEqualTo(other);
            assertThat(store.delete(b("big"))).isTrue();
            store.sync();
            PageStoreStats without = store.verify();
            assertThat(without.outOfLineValues()).isZero();
            assertThat(without.freeBytes() + without.heldBytes()).isGreaterThan(big.length);
        }
    }

    /**
     * Zero-copy reads hand out views of the store's pages, and of the writer's own uncommitted
     * blocks: none of them may be writable, in a file or in memory, inline or out of line.
     */
    @Test
    void everySegmentHandedOutIsReadOnly() throws IOException {
        byte[] big = new byte[5000];
        for (PageStore store : List.of(PageStore.open(dir.resolve("ro.skip")), PageStore.builder().openInMemory())) {
            try (store) {
                store.put(b("committed"), b("value"));
                store.put(b("large"), big);
                try (WriteTransaction w = store.write()) {
                    w.put(b("own"), b("uncommitted"));
                    w.put(b("own large"), big);
                    assertAllReadOnly(w);
                    w.commit();
                }
                try (ReadTransaction r = store.read()) {
                    assertAllReadOnly(r);
                }
            }
        }
    }

    private static void assertAllReadOnly(Transaction t) {
        List<MemorySegment> seen = new ArrayList<>();
        for (String k : List.of("committed", "large", "own", "own large")) {
            MemorySegment v = t.get(MemorySegment.ofArray(b(k)));
            if (v != null) {
                seen.add(v);
            }
        }
        try (Cursor c = t.cursor()) {
            for (boolean ok = c.first(); ok; ok = c.next()) {
                seen.add(c.key());
                seen.add(c.value());
            }
        }
        t.scan(Range.all(), (k, v) -> seen.add(k) && seen.add(v));
        assertThat(seen).hasSizeGreaterThan(6);
        for (MemorySegment s : seen) {
            assertThat(s.isReadOnly()).isTrue();
            if (s.byteSize() > 0) {
                assertThatThrownBy(() -> s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    /**
     * Heap keys ({@code byte[]}, heap segments) are read from a copy in a buffer of the calling
     * thread (NativeKeys): a get, put or seek from inside a scan's visitor, with keys of other
     * lengths (one that makes the buffer grow), must leave the scan's bounds and position alone.
     */
    @Test
    void callsFromInsideAScanDoNotDisturbItsBounds() throws IOException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            try (WriteTransaction w = store.write()) {
                for (int i = 0; i < 2000; i++) {
                    w.put(b(String.format("k%05d", i)), b("v" + i));
                }
                w.commit();
            }
            byte[] big = new byte[store.maxKeyBytes()];
            Arrays.fill(big, (byte) 'z');
            List<String> seen = new ArrayList<>();
            try (ReadTransaction r = store.read(); Cursor c = r.cursor()) {
                long n = r.scan(Range.closedOpen(b("k00100"), b("k01900")), (k, v) -> {
                    seen.add(new String(k.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    assertThat(r.get(b("k01999"))).isEqualTo(b("v1999"));
                    assertThat(r.get(MemorySegment.ofArray(b("k0")))).isNull();
                    assertThat(r.get(big)).isNull();
                    assertThat(c.seek(b("k00050"))).isTrue();
                    return true;
                });
                assertThat(n).isEqualTo(1800);
            }
            assertThat(seen).hasSize(1800);
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).isEqualTo(String.format("k%05d", 100 + i));
            }
            try (WriteTransaction w = store.write()) { // a write transaction's scan, with puts from its visitor refused
                long n = w.scan(Range.closed(b("k01998"), b("k01999")), (k, v) -> {
                    assertThat(w.get(big)).isNull();
                    return true;
                });
                assertThat(n).isEqualTo(2);
                w.put(MemorySegment.ofArray(big), MemorySegment.ofArray(b("big"))); // a heap segment key, copied
                w.commit();
            }
            assertThat(store.get(big)).isEqualTo(b("big"));
        }
    }

    @Test
    void badInputGetsAClearException() throws IOException {
        try (PageStore store = PageStore.builder().openInMemory()) {
            assertThatThrownBy(() -> store.put(null, b("v"))).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.put(b("k"), (byte[]) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> store.get((byte[]) null)).isInstanceOf(NullPointerException.class);
            byte[] tooLong = new byte[store.maxKeyBytes() + 1];
            assertThatThrownBy(() -> store.put(tooLong, b("v"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exceeds the maximum of 1024 bytes");
            store.put(new byte[store.maxKeyBytes()], b("longest")); // the largest key is fine
            assertThat(store.get(new byte[store.maxKeyBytes()])).isEqualTo(b("longest"));
            assertThatThrownBy(() -> Range.closed(null, b("a"))).isInstanceOf(NullPointerException.class);
            WriteTransaction w = store.write();
            w.put(b("k"), b("v"));
            w.commit();
            assertThatThrownBy(() -> w.put(b("k"), b("v"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED)).hasMessageContaining("committed");
            ReadTransaction t = store.read();
            Cursor c = t.cursor();
            t.close();
            assertThatThrownBy(c::first).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            assertThatThrownBy(() -> t.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        }
    }

    @Test
    void useAfterCloseIsAClearErrorAndReadersOpenAtCloseFailCleanly() throws IOException {
        Path file = dir.resolve("closed.skip");
        PageStore store = PageStore.open(file);
        store.put(b("k"), b("v"));
        ReadTransaction open = store.read();
        MemorySegment v = open.get(MemorySegment.ofArray(b("k")));
        store.close();
        store.close(); // twice is fine
        assertThatThrownBy(() -> store.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED)).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.put(b("k"), b("v"))).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        assertThatThrownBy(store::read).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        assertThatThrownBy(() -> open.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        assertThatThrownBy(() -> v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class); // unmapped: an exception, not a crash
        open.close();
        try (PageStore again = PageStore.open(file)) {
            assertThat(again.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefused() throws IOException {
        Path file = dir.resolve("locked.skip");
        try (PageStore store = PageStore.open(file)) {
            store.put(b("k"), b("v"));
            assertThatThrownBy(() -> PageStore.open(file)).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void foreignFilesAreRefusedAndLeftAlone() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a store\n".repeat(1000));
        byte[] before = Files.readAllBytes(text);
        assertThatThrownBy(() -> PageStore.open(text)).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_STORE));
        assertThat(Files.readAllBytes(text)).isEqualTo(before);
        assertThatThrownBy(() -> PageStore.builder().createIfMissing(false).open(dir.resolve("missing.skip")))
                .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND))
                .hasCauseInstanceOf(java.nio.file.NoSuchFileException.class);
        // a page file whose roots hold another structure
        Path other = dir.resolve("other.skip");
        try (Pager pager = PageFiles.open(other, 4096, Durability.SYNC, true, Pager.Hook.NONE);
             WriteTxn txn = pager.begin()) {
            txn.setRoot(9, 0x1234_5678_0001_0014L);
            txn.commit();
        }
        assertThatThrownBy(() -> PageStore.open(other)).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.NOT_A_STORE));
    }

    @Test
    void aFullStoreRefusesTheTransactionThatDoesNotFitAndKeepsEverythingCommitted() throws IOException {
        Path file = dir.resolve("small.skip");
        List<byte[]> committed = new ArrayList<>();
        try (PageStore store = PageStore.builder().maxSize(1 << 20).open(file)) {
            SplittableRandom r = new SplittableRandom(3);
            SkipstoreException full = null;
            for (int i = 0; i < 1000 && full == null; i++) {
                byte[] v = new byte[20_000];
                r.nextBytes(v);
                try {
                    store.put(b("k" + i), v);
                    committed.add(v);
                } catch (SkipstoreException e) {
                    full = e;
                }
            }
            assertThat(full).isNotNull();
            assertThat(full.problem()).isEqualTo(Problem.NO_SPACE);
            assertThat(Files.size(file)).isLessThanOrEqualTo(1 << 20);
            store.verify();
            assertThat(store.count()).isEqualTo(committed.size());
            assertThat(store.delete(b("k0"))).isTrue(); // still writable: deletes make room
            store.put(b("k0"), committed.get(0));
        }
        try (PageStore store = PageStore.open(file)) {
            for (int i = 0; i < committed.size(); i++) {
                assertThat(store.get(b("k" + i))).isEqualTo(committed.get(i));
            }
        }
    }

    @Test
    void preallocationGrowsTheFileAtOpen() throws IOException {
        Path file = dir.resolve("pre.skip");
        try (PageStore store = PageStore.builder().preallocate(8 << 20).open(file)) {
            assertThat(Files.size(file)).isGreaterThanOrEqualTo(8 << 20);
            store.put(b("k"), b("v"));
        }
        try (PageStore store = PageStore.open(file)) {
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void preallocationReservesTheSpaceOnTheDiskNotOnlyTheLength() throws Exception {
        Path file = dir.resolve("reserved.skip");
        try (PageStore store = PageStore.builder().preallocate(8 << 20).open(file)) {
            // The blocks the file system gave the file: a sparse file has its length, not its blocks.
            Process stat = new ProcessBuilder("stat", "--format=%b %B", file.toString()).redirectErrorStream(true).start();
            String[] out = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
            org.junit.jupiter.api.Assumptions.assumeTrue(stat.waitFor() == 0 && out.length == 2, "no stat(1) here");
            long allocated = Long.parseLong(out[0]) * Long.parseLong(out[1]);
            assertThat(allocated).as("bytes allocated on the disk").isGreaterThanOrEqualTo(8L << 20);
        }
    }

    @Test
    void cursorsWalkBothWaysAndResumeInALaterTransaction() throws IOException {
        try (PageStore store = PageStore.builder().promotion(4).openInMemory()) {
            try (WriteTransaction w = store.write()) {
                for (int i = 0; i < 1000; i++) {
                    w.put(b(String.format("k%04d", i)), b("v" + i));
                }
                w.commit();
            }
            byte[] last;
            try (ReadTransaction t = store.read(); Cursor c = t.cursor()) {
                assertThat(c.seek(b("k0500x"))).isTrue();
                assertThat(c.keyBytes()).isEqualTo(b("k0501"));
                assertThat(c.prev()).isTrue();
                assertThat(c.keyBytes()).isEqualTo(b("k0500"));
                assertThat(c.seekFloor(b("k0500x"))).isTrue();
                assertThat(c.keyBytes()).isEqualTo(b("k0500"));
                assertThat(c.last()).isTrue();
                assertThat(c.keyBytes()).isEqualTo(b("k0999"));
                assertThat(c.next()).isFalse();
                assertThat(c.seek(b("z"))).isFalse();
                assertThat(c.seekFloor(b("a"))).isFalse();
                List<KeyValue> page = t.list(Range.atLeast(b("k0100")).limit(10));
                assertThat(page).hasSize(10);
                last = page.get(9).key();
            }
            store.delete(b("k0110"));
            try (ReadTransaction t = store.read()) { // the next page, after the last key seen
                List<KeyValue> next = t.list(Range.greaterThan(last).limit(3));
                assertThat(next).extracting(kv -> new String(kv.key(), StandardCharsets.UTF_8))
                        .containsExactly("k0111", "k0112", "k0113");
                List<KeyValue> back = t.list(Range.lessThan(b("k0003")).reversed());
                assertThat(back).extracting(kv -> new String(kv.key(), StandardCharsets.UTF_8))
                        .containsExactly("k0002", "k0001", "k0000");
                assertThat(t.scan(Range.all().keysOnly(), (k, v) -> v.byteSize() == 0)).isEqualTo(999);
            }
        }
    }

    @Test
    void writerThreadsWithGroupCommitAndReadersSeeConsistentSnapshots() throws Exception {
        int writers = 4;
        int perWriter = 300;
        try (PageStore store = PageStore.builder().durability(Durability.GROUP).promotion(4)
                .open(dir.resolve("group.skip"))) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < perWriter; i++) {
                            try (WriteTransaction w = store.write()) { // an item and the thread's progress, together
                                w.put(b("item/" + id + "/" + i), b("v" + i));
                                w.put(b("progress/" + id), b(Integer.toString(i)));
                                w.commit();
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (!done.get()) {
                            try (ReadTransaction r = store.read()) {
                                long items = 0;
                                for (int id = 0; id < writers; id++) {
                                    byte[] p = r.get(b("progress/" + id));
                                    int upTo = p == null ? -1 : Integer.parseInt(new String(p, StandardCharsets.UTF_8));
                                    items += upTo + 1;
                                    if (upTo >= 0 && r.get(b("item/" + id + "/" + upTo)) == null) {
                                        throw new AssertionError("progress " + upTo + " of writer " + id + " without its item");
                                    }
                                }
                                long count = r.count();
                                if (count != items + r.list(Range.atLeast(b("progress/")).keysOnly()).size()) {
                                    throw new AssertionError("a snapshot counts " + count + " entries for " + items + " items");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            done.set(true);
            for (Thread t : readers) {
                t.join();
            }
            assertThat(errors).isEmpty();
            assertThat(store.verify().entries()).isEqualTo((long) writers * perWriter + writers);
        }
    }
}
