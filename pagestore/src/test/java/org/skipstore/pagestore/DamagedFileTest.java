package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.Meta;
import org.skipstore.pagestore.internal.bskip.Partition;

/**
 * Bytes damaged in the data pages of a closed store (one flipped byte a trial, anywhere past the
 * meta pages): every block carries a CRC32C, so a read of a damaged block reports
 * {@link Problem#CORRUPT} instead of returning other bytes or failing with an index error, and
 * {@code verify()} finds all damage in blocks in use, also where no read went. A store known
 * damaged refuses writes. Damage in a free page harms nothing and goes unseen.
 */
class DamagedFileTest {

    private static final int ENTRIES = 3000;

    @TempDir
    Path dir;

    @Test
    void damageIsReportedAsCorruptNeverReadAsData() throws IOException {
        long seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("damageIsReportedAsCorruptNeverReadAsData seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        Path file = dir.resolve("damaged.skip");
        TreeMap<Long, byte[]> model = new TreeMap<>();
        BitSet unchecked = new BitSet(); // free pages, and the free list's block: no block checksum covers them
        try (PageStore store = PageStore.open(file)) {
            try (WriteTransaction txn = store.write()) {
                for (long k = 0; k < ENTRIES; k++) {
                    byte[] v = new byte[k % 50 == 0 ? 3000 : 100]; // some out of line, in runs of their own
                    random.nextBytes(v);
                    model.put(k, v);
                    txn.put(key(k), v);
                }
                txn.commit();
            }
            store.pager().allocator().forEachFree((page, n) -> unchecked.set((int) page, (int) (page + (1L << n))));
            Meta m = store.pager().committed();
            if (m.freeList != 0) { // its CRC in the meta covers its entries only
                unchecked.set((int) m.freeList, (int) (m.freeList + (1L << m.freeOrder)));
            }
        }
        byte[] pristine = Files.readAllBytes(file);
        int pageSize = PageStore.DEFAULT_PAGE_SIZE;
        int trials = 60;
        int detected = 0;
        for (int trial = 0; trial < trials; trial++) {
            byte[] bytes = pristine.clone();
            int at = 2 * pageSize + random.nextInt(bytes.length - 2 * pageSize);
            bytes[at] ^= (byte) (1 + random.nextInt(255));
            Files.write(file, bytes);
            String where = "trial " + trial + ", byte " + at + " (page " + at / pageSize + ")";
            boolean seen = false;
            try (PageStore store = PageStore.open(file)) {
                for (long k = 0; k < ENTRIES; k++) {
                    try {
                        byte[] v = store.get(key(k));
                        assertThat(v).as(where + ": key " + k).isEqualTo(model.get(k));
                    } catch (RuntimeException e) {
                        assertCorrupt(e, where);
                        seen = true;
                    }
                }
                try {
                    long[] n = {0};
                    try (ReadTransaction txn = store.read()) {
                        txn.scan(Range.all(), (k, v) -> {
                            long key = ByteBuffer.wrap(k.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).getLong();
                            assertThat(key).as(where).isEqualTo(n[0]++);
                            assertThat(v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(where + ": scan at " + key)
                                    .isEqualTo(model.get(key));
                            return true;
                        });
                    }
                    assertThat(n[0]).as(where + ": scanned").isEqualTo(ENTRIES);
                } catch (RuntimeException e) {
                    assertCorrupt(e, where);
                    seen = true;
                }
                boolean verified;
                try {
                    store.verify();
                    verified = true;
                } catch (SkipstoreException e) {
                    assertThat(e.problem()).as(where + ": " + e.getMessage()).isEqualTo(Problem.CORRUPT);
                    verified = false;
                }
                assertThat(verified).as(where + ": verify() passes exactly when no read saw damage").isEqualTo(!seen);
                if (!unchecked.get(at / pageSize)) {
                    assertThat(verified).as(where + ": damage in a block in use is found").isFalse();
                }
                if (!verified) {
                    detected++;
                    assertThatThrownBy(() -> store.put(key(ENTRIES), new byte[1])).as(where + ": a write into it")
                            .isInstanceOfSatisfying(SkipstoreException.class,
                                    e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT));
                }
            } catch (SkipstoreException e) { // damage the open itself met (a free list in a block of its own)
                assertThat(e.problem()).as(where + ": " + e.getMessage()).isEqualTo(Problem.CORRUPT);
                detected++;
            }
        }
        System.out.println("  " + trials + " damaged copies, " + detected + " reported CORRUPT, the rest hit free pages");
        assertThat(detected).as("some damage hit blocks in use").isPositive();
        Files.write(file, pristine);
        try (PageStore store = PageStore.open(file)) {
            store.verify();
        }
    }

    /**
     * Damage that passes its checksum (here: a partition's slot count raised, and the checksum
     * computed anew) ends in a bounds check, never a wild read: CORRUPT, not an
     * {@link IndexOutOfBoundsException}; and the store refuses writes.
     */
    @Test
    void aDamagedBlockThatPassesItsChecksumIsCorruptNotAnIndexError() throws IOException {
        Path file = dir.resolve("forged.skip");
        long page;
        try (PageStore store = PageStore.open(file)) {
            try (WriteTransaction txn = store.write()) {
                for (long k = 0; k < 500; k++) {
                    txn.put(key(k), new byte[100]);
                }
                txn.commit();
            }
            page = store.pager().committed().root(0); // the first partition of level 0
        }
        int pageSize = PageStore.DEFAULT_PAGE_SIZE;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer first = ByteBuffer.allocate(pageSize).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(first, page * pageSize);
            int pages = Short.toUnsignedInt(first.getShort((int) Partition.PAGES));
            ByteBuffer block = ByteBuffer.allocate(pages * pageSize).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(block, page * pageSize);
            long count = Partition.HEADER.byteOffset(MemoryLayout.PathElement.groupElement("count"));
            block.putInt((int) count, 1 << 20); // a million slots in a block of a few pages
            CRC32C crc = new CRC32C();
            crc.update(block.array(), 4, block.capacity() - 4);
            block.putInt(0, (int) crc.getValue());
            ch.write(block.rewind(), page * pageSize);
        }
        try (PageStore store = PageStore.open(file)) {
            assertThatThrownBy(() -> store.list(Range.all())).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT));
            assertThatThrownBy(() -> store.put(key(1), new byte[1])).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT));
            assertThatThrownBy(store::verify).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CORRUPT));
        }
    }

    /**
     * A file that another program truncates while the store has it mapped: the JDK turns the
     * fault (SIGBUS) into an {@link InternalError}; the store reports TRUNCATED, refuses writes,
     * and closes cleanly; the next open names the problem.
     */
    @Test
    void aFileTruncatedWhileOpenIsReportedAsTruncated() throws IOException {
        Path file = dir.resolve("cut.skip");
        try (PageStore store = PageStore.open(file)) {
            for (int round = 0; round < 2; round++) { // both meta slots: states whose blocks pass the cut
                try (WriteTransaction txn = store.write()) {
                    for (long k = 0; k < 2000; k++) {
                        txn.put(key(k), new byte[100 + round]);
                    }
                    txn.commit();
                }
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(4L * PageStore.DEFAULT_PAGE_SIZE); // the meta pages and a little more
            }
            assertThatThrownBy(() -> store.list(Range.all())).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.TRUNCATED));
            assertThatThrownBy(() -> store.put(key(1), new byte[1])).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isIn(Problem.TRUNCATED, Problem.CORRUPT));
        }
        assertThatThrownBy(() -> PageStore.open(file)).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.TRUNCATED));
    }

    private static void assertCorrupt(RuntimeException e, String where) {
        if (!(e instanceof SkipstoreException s) || s.problem() != Problem.CORRUPT) {
            fail(where + ": a read failed with something else than CORRUPT", e);
        }
    }

    private static byte[] key(long k) {
        return ByteBuffer.allocate(8).putLong(k).array();
    }
}
