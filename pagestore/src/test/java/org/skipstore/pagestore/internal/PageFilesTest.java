package org.skipstore.pagestore.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;

/** Real files: creation, reopen, locking, and every kind of bad file named by its problem. */
class PageFilesTest {

    static final int PAGE = 4096;

    @TempDir
    Path dir;

    static void assertProblem(ThrowingCallable open, Problem problem, String text) {
        assertThatThrownBy(open).isInstanceOf(StoreFailure.class)
                .hasMessageContaining(text)
                .satisfies(e -> assertThat(((StoreFailure) e).problem()).isEqualTo(problem));
    }

    /** Creates a store with {@code commits} workload commits; returns the items of each state by txn. */
    private List<List<long[]>> makeStore(Path file, int commits) throws IOException {
        List<List<long[]>> states = new java.util.ArrayList<>();
        states.add(null);
        states.add(List.of());
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, true, Pager.Hook.NONE);
        try {
            Workload w = new Workload(new SplittableRandom(7));
            for (int i = 0; i < commits; i++) {
                try (WriteTxn t = p.begin()) {
                    List<long[]> next = w.change(t, 3);
                    t.commit();
                    w.items = next;
                    states.add(next);
                }
            }
        } finally {
            p.close();
        }
        return states;
    }

    @Test
    void aStoreSurvivesCloseAndReopenAndGrows() throws IOException {
        Path file = dir.resolve("s.db");
        List<List<long[]>> states = makeStore(file, 40);
        assertThat(Files.exists(dir.resolve("s.db.creating"))).isFalse();
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            Meta m = p.committed();
            assertThat(m.txnId).isEqualTo(41);
            assertThat(Workload.describe(Workload.readAndCheck(p.file(), m)))
                    .isEqualTo(Workload.describe(states.get(41)));
            assertThat(p.stats().fileBytes()).isEqualTo(Files.size(file)).isGreaterThan(Chunks.MIN_PAGES * PAGE);
        } finally {
            p.close();
        }
    }

    @Test
    void spaceLeftByAnInterruptedGrowthIsReused() throws IOException {
        Path file = dir.resolve("s.db");
        List<List<long[]>> states = makeStore(file, 5);
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer junk = ByteBuffer.allocate(3 << 20);
            new Random(9).nextBytes(junk.array());
            ch.write(junk, size); // a growth that a crash cut short: extended, never committed
        }
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            assertThat(Workload.describe(Workload.readAndCheck(p.file(), p.committed())))
                    .isEqualTo(Workload.describe(states.get(6)));
            try (WriteTxn t = p.begin()) { // grows into the left-over space
                long big = t.allocate(9);
                Workload.fill(t.write(big), 11);
                t.setRoot(5, big);
                t.commit();
            }
            assertThat(p.committed().pageCount * PAGE).isGreaterThan(size);
        } finally {
            p.close();
        }
        Pager again = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            long big = again.committed().root(5);
            var b = again.file().pages(big, 512);
            SplittableRandom r = new SplittableRandom(11);
            for (long o = 0; o < b.byteSize(); o += 8) {
                assertThat(b.get(JAVA_LONG_UNALIGNED, o)).isEqualTo(r.nextLong());
            }
        } finally {
            again.close();
        }
    }

    @Test
    void aSecondOpenIsRefusedWhileTheFirstHoldsTheFile() throws IOException {
        Path file = dir.resolve("s.db");
        makeStore(file, 1);
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.LOCKED,
                    "already open");
        } finally {
            p.close();
        }
        PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE).close(); // free again
    }

    @Test
    void foreignFilesAreNotStores() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a database\n");
        assertProblem(() -> PageFiles.open(text, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.NOT_A_STORE,
                "not a Skipstore file");
        Path noise = dir.resolve("noise.bin");
        byte[] bytes = new byte[256 * 1024];
        new Random(5).nextBytes(bytes);
        Files.write(noise, bytes);
        assertProblem(() -> PageFiles.open(noise, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.NOT_A_STORE,
                "not a Skipstore file");
        Path empty = dir.resolve("empty.db");
        Files.createFile(empty);
        assertProblem(() -> PageFiles.open(empty, PAGE, Durability.SYNC, true, Pager.Hook.NONE), Problem.NOT_A_STORE,
                "0 bytes");
        assertThat(Files.readAllBytes(noise)).isEqualTo(bytes); // untouched
        assertProblem(() -> PageFiles.open(dir, PAGE, Durability.SYNC, true, Pager.Hook.NONE), Problem.NOT_WRITABLE,
                "directory");
    }

    @Test
    void oneCorruptMetaFallsBackToTheOtherState() throws IOException {
        Path file = dir.resolve("s.db");
        List<List<long[]>> states = makeStore(file, 10);
        // The newest state (11) is in slot 11 % 2 = 1... find it by transaction id and flip a byte in it.
        int newest = newestSlot(file);
        flipByte(file, (long) newest * PAGE + 20);
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            assertThat(p.committed().txnId).isEqualTo(10);
            assertThat(Workload.describe(Workload.readAndCheck(p.file(), p.committed())))
                    .isEqualTo(Workload.describe(states.get(10)));
        } finally {
            p.close();
        }
    }

    @Test
    void bothMetasCorruptIsCorrupt() throws IOException {
        Path file = dir.resolve("s.db");
        makeStore(file, 3);
        flipByte(file, 30);
        flipByte(file, PAGE + 30);
        assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.CORRUPT,
                "damaged");
    }

    @Test
    void aTruncatedFileIsTruncated() throws IOException {
        Path file = dir.resolve("s.db");
        makeStore(file, 60);
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2 + PAGE);
        }
        assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.TRUNCATED,
                "truncated");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(3 * PAGE);
        }
        assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.TRUNCATED,
                "truncated");
    }

    @Test
    void theFileHoldsThePagesWrittenNotWholeChunks() throws IOException {
        Path file = dir.resolve("s.db");
        List<long[]> blocks = new java.util.ArrayList<>(); // page, order: each filled with its order as seed
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, true, Pager.Hook.NONE);
        try {
            assertThat(Files.size(file)).as("a new store: its meta pages").isEqualTo(Meta.SLOTS * PAGE);
            for (int n : new int[] {0, 9, 3, 11}) { // each grows the chunks; the file only by what is written
                try (WriteTxn t = p.begin()) {
                    long b = t.allocate(n);
                    Workload.fill(t.write(b), n);
                    blocks.add(new long[] {b, n});
                    t.commit();
                }
                Meta m = p.committed();
                assertThat(Files.size(file)).as("after a block of order %d", n).isEqualTo(m.filePages * PAGE)
                        .isEqualTo(p.stats().fileBytes());
                assertThat(m.filePages).isLessThanOrEqualTo(m.pageCount);
                if (n == 0) { // a page after the meta pages, in a file whose first chunk is 16 pages
                    assertThat(m.filePages).as("the unwritten tail of the last chunk").isEqualTo(3).isLessThan(m.pageCount);
                }
            }
        } finally {
            p.close();
        }
        Pager again = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        try { // reopened shorter than its chunks: mapped up to them, and grows on
            assertThat(again.file().pageCount()).isEqualTo(again.committed().pageCount);
            try (WriteTxn t = again.begin()) {
                long b = t.allocate(12);
                Workload.fill(t.write(b), 12);
                blocks.add(new long[] {b, 12});
                t.commit();
            }
            Meta m = again.committed();
            assertThat(Files.size(file)).isEqualTo(m.filePages * PAGE);
            Checker checker = new Checker(again.file(), m);
            for (long[] b : blocks) {
                checker.used(b[0], (int) b[1]);
                SplittableRandom r = new SplittableRandom(b[1]);
                var bytes = again.file().pages(b[0], 1L << b[1]);
                for (long o = 0; o < bytes.byteSize(); o += 8) {
                    assertThat(bytes.get(JAVA_LONG_UNALIGNED, o)).isEqualTo(r.nextLong());
                }
            }
            checker.verify();
        } finally {
            again.close();
        }
    }

    /**
     * A file shorter than its newest meta says, with the state before whole: an unforced commit's
     * writes past the old end never reached the disk (a crash), or (a forced commit, which made
     * the length durable first) the file was cut. Either way open falls back, and names which.
     */
    @Test
    void aFileCutBelowTheNewestCommitFallsBackToTheStateBefore() throws IOException {
        for (Durability last : new Durability[] {Durability.SYNC_SINGLE_BARRIER, Durability.SYNC}) {
            Path file = dir.resolve(last + ".db");
            Pager p = PageFiles.open(file, PAGE, Durability.SYNC, true, Pager.Hook.NONE);
            long before;
            try {
                try (WriteTxn t = p.begin()) {
                    Workload.fill(t.write(t.allocate(2)), 1);
                    t.commit();
                }
                before = p.committed().filePages;
                try (WriteTxn t = p.begin()) {
                    Workload.fill(t.write(t.allocate(9)), 2); // past the end
                    t.commit(last);
                }
                assertThat(p.committed().filePages).isGreaterThan(before);
            } finally {
                p.close();
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(before * PAGE);
            }
            Pager again = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
            try {
                assertThat(again.committed().txnId).as("%s", last).isEqualTo(2);
                assertThat(again.recovery().cause()).as("%s", last).isEqualTo(last == Durability.SYNC
                        ? org.skipstore.pagestore.Recovery.Cause.DAMAGED_META
                        : org.skipstore.pagestore.Recovery.Cause.INCOMPLETE_COMMIT);
                assertThat(again.recovery().message()).contains("needs");
            } finally {
                again.close();
            }
        }
    }

    @Test
    void anotherPageSizeOrFormatVersionIsNamed() throws IOException {
        Path file = dir.resolve("s.db");
        makeStore(file, 2);
        assertProblem(() -> PageFiles.open(file, 8192, Durability.SYNC, false, Pager.Hook.NONE), Problem.PAGE_SIZE,
                "pages of 4096 bytes");
        assertProblem(() -> PageFiles.open(file, 1024, Durability.SYNC, false, Pager.Hook.NONE), Problem.PAGE_SIZE,
                "pages of 4096 bytes");
        // A future format: the next version with a valid CRC in both slots.
        int future = Meta.FORMAT_VERSION + 1;
        for (int slot = 0; slot < 2; slot++) {
            rewriteVersion(file, slot, future);
        }
        assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE), Problem.VERSION,
                "format version " + future);
    }

    @Test
    void aReadOnlyFileIsNamedAndLeftAlone() throws Exception {
        Path file = dir.resolve("ro.db");
        makeStore(file, 2);
        byte[] before = Files.readAllBytes(file);
        boolean immutable = false;
        assertThat(file.toFile().setWritable(false, false)).isTrue();
        if (Files.isWritable(file)) { // root ignores permissions: make the file immutable instead
            Process p = new ProcessBuilder("chattr", "+i", file.toString()).redirectErrorStream(true).start();
            immutable = p.waitFor() == 0;
            org.junit.jupiter.api.Assumptions.assumeTrue(immutable, "cannot make a file read-only here");
        }
        try {
            assertProblem(() -> PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE),
                    Problem.NOT_WRITABLE, "cannot be opened for reading and writing");
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
        } finally {
            if (immutable) {
                new ProcessBuilder("chattr", "-i", file.toString()).start().waitFor();
            }
            file.toFile().setWritable(true);
        }
    }

    @Test
    void badPageSizesAreRefused() {
        assertThatThrownBy(() -> PageFiles.open(dir.resolve("x"), 3000, Durability.SYNC, true, Pager.Hook.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power of two");
    }

    private static int newestSlot(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long[] txn = new long[2];
            for (int s = 0; s < 2; s++) {
                byte[] b = new byte[8];
                f.seek((long) s * PAGE + 16);
                f.readFully(b);
                txn[s] = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
            }
            return txn[0] > txn[1] ? 0 : 1;
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
    }

    private static void rewriteVersion(Path file, int slot, int version) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer meta = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(meta, (long) slot * PAGE);
            meta.putInt(8, version);
            CRC32C crc = new CRC32C();
            int crcAt = (int) Meta.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("crc"));
            crc.update(meta.array(), 0, crcAt);
            meta.putInt(crcAt, (int) crc.getValue());
            meta.rewind();
            ch.write(meta, (long) slot * PAGE);
        }
    }

    @Test
    void segmentsOfAClosedFileThrowInsteadOfCrashing() throws IOException {
        Path file = dir.resolve("s.db");
        makeStore(file, 1);
        Pager p = PageFiles.open(file, PAGE, Durability.SYNC, false, Pager.Hook.NONE);
        var page = p.file().pages(0, 1);
        p.close();
        assertThatThrownBy(() -> page.get(JAVA_LONG_UNALIGNED, 0)).isInstanceOf(IllegalStateException.class);
    }
}
