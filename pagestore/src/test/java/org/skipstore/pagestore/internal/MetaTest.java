package org.skipstore.pagestore.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.skipstore.pagestore.internal.Meta.Status;

/**
 * The meta page: its fields and roots round trip at every page size the store allows, its bytes
 * are the documented format, {@link Meta#check} tells each kind of bad slot apart, and the
 * free-list and commit-record entries encode and decode.
 */
class MetaTest {

    /** The page sizes {@link PageFiles} accepts: powers of two from 512 to 1 MiB. */
    private static final int[] PAGE_SIZES = {512, 1024, 4096, 65536, 1 << 20};
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long CRC = Meta.LAYOUT.byteOffset(groupElement("crc"));
    private static final long VERSION = Meta.LAYOUT.byteOffset(groupElement("version"));
    private static final long PAGE_SIZE = Meta.LAYOUT.byteOffset(groupElement("pageSize"));

    /** Every field a different value, so that two fields written at one offset cannot both read back. */
    private static Meta distinct(int pageSize, long txnId, long pageCount) {
        long[] roots = new long[Meta.ROOTS];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = 0x0101_0101_0101_0101L * (i + 1) ^ Long.MIN_VALUE; // top bit set: no sign is lost
        }
        return new Meta(pageSize, txnId, pageCount, 0x4000_001AL, 0x7EAD_BEEF_0000_0010L, 11, 0x3000_0012, 0x9000_0013,
                0x6000_0000_0000_0014L, 12, 0x2000_0015, 0xA000_0016, roots,
                new Meta.Stored(0x5000_0000_0000_0017L, 13, 0x1000_0018, 0xB000_0019));
    }

    /** All 64-bit fields at their largest, 32-bit ones too: the format holds them whole. */
    private static Meta largest(int pageSize) {
        long[] roots = new long[Meta.ROOTS];
        Arrays.fill(roots, -1L);
        return new Meta(pageSize, -1L, -1L, 0xFFFF_FFFFL, -1L, -1, -1, -1, -1L, -1, -1, -1, roots, new Meta.Stored(-1L, -1, -1, -1));
    }

    private static long[] fields(Meta m) {
        long[] f = {m.pageSize, m.txnId, m.pageCount, m.filePages, m.freeList, m.freeOrder, m.freeCount, m.freeCrc, m.record,
            m.recordOrder, m.recordCount, m.recordCrc, m.metadata.page(), m.metadata.order(), m.metadata.bytes(),
            m.metadata.crc()};
        long[] all = Arrays.copyOf(f, f.length + Meta.ROOTS);
        for (int i = 0; i < Meta.ROOTS; i++) {
            all[f.length + i] = m.root(i);
        }
        return all;
    }

    private static MemorySegment page(Arena arena, int pageSize, Meta m) {
        MemorySegment page = arena.allocate(pageSize, 8);
        m.writeTo(page);
        return page;
    }

    /** Recomputes the CRC after a test changed a field, as a writer of another version would. */
    private static void reseal(MemorySegment page) {
        page.set(U32, CRC, Checksums.crc32c(page, 0, CRC));
    }

    @Test
    void everyFieldAndRootRoundTripsAtEveryPageSize() {
        try (Arena arena = Arena.ofConfined()) {
            for (int ps : PAGE_SIZES) {
                for (Meta m : new Meta[] {distinct(ps, 7, 16), distinct(ps, Long.MAX_VALUE, Long.MAX_VALUE),
                    largest(ps), new Meta(ps, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new long[Meta.ROOTS])}) {
                    MemorySegment page = page(arena, ps, m);
                    assertThat(Meta.check(page, ps)).as("%s at %d", m, ps).isEqualTo(Status.VALID);
                    Meta back = Meta.read(page);
                    assertThat(fields(back)).as("%s at %d", m, ps).containsExactly(fields(m));
                    assertThat(back.roots()).containsExactly(m.roots());
                }
            }
        }
    }

    @Test
    void theBytesAreTheDocumentedFormat() {
        // The table of Meta's class comment: a file written by one build must open in another.
        Map<String, Long> documented = Map.ofEntries(Map.entry("magic", 0L), Map.entry("version", 8L),
                Map.entry("pageSize", 12L), Map.entry("txnId", 16L), Map.entry("pageCount", 24L),
                Map.entry("freeList", 32L), Map.entry("freeOrder", 40L), Map.entry("freeCount", 44L),
                Map.entry("freeCrc", 48L), Map.entry("recordOrder", 52L), Map.entry("record", 56L),
                Map.entry("recordCount", 64L), Map.entry("recordCrc", 68L), Map.entry("roots", 72L),
                Map.entry("metadata", 200L), Map.entry("metadataOrder", 208L), Map.entry("metadataBytes", 212L),
                Map.entry("metadataCrc", 216L), Map.entry("filePages", 220L), Map.entry("crc", 224L));
        documented.forEach((name, at) -> assertThat(Meta.LAYOUT.byteOffset(groupElement(name))).as(name).isEqualTo(at));
        try (Arena arena = Arena.ofConfined()) {
            Meta m = distinct(4096, 0x1122_3344_5566_7788L, 1 << 20);
            MemorySegment page = page(arena, 4096, m);
            byte[] magic = page.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE);
            assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("SKIPSTOR");
            // Little-endian, read here without Meta's own layouts.
            assertThat(page.get(ValueLayout.JAVA_BYTE, 16)).isEqualTo((byte) 0x88);
            assertThat(page.get(U32, 8)).isEqualTo(Meta.FORMAT_VERSION);
            assertThat(page.get(U32, 12)).isEqualTo(4096);
            assertThat(page.get(U64, 24)).isEqualTo(1 << 20);
            assertThat(page.get(U64, 72 + 8 * 15)).isEqualTo(m.root(15));
            assertThat(page.get(U64, 200)).isEqualTo(m.metadata.page());
            assertThat(page.get(U32, 220)).isEqualTo((int) m.filePages);
            assertThat(page.get(U32, 216)).isEqualTo(m.metadata.crc());
            assertThat(page.get(U32, 224)).isEqualTo(Checksums.crc32c(page, 0, 224));
        }
    }

    @Test
    void theMetaFitsBelowTheInlineFreeListAndTheFirstSector() {
        assertThat(Meta.LAYOUT.byteSize()).isLessThanOrEqualTo(Meta.INLINE_FREE).isLessThanOrEqualTo(512);
        assertThat(Meta.RECORD_ENTRY.byteSize()).isEqualTo(16);
        assertThat(Meta.FREE_ENTRY.byteSize()).isEqualTo(8);
        for (int ps : PAGE_SIZES) {
            long cap = Meta.inlineCapacity(ps);
            assertThat(Meta.INLINE_FREE + 8 * cap).as("page size %d", ps).isLessThanOrEqualTo(ps)
                    .isGreaterThan(ps - 8); // and no room is left for one more
        }
    }

    @Test
    void writeToZerosUpToTheInlineFreeListAndLeavesItsEntries() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(512, 8).fill((byte) 0x5A);
            MemorySegment inline = page.asSlice(Meta.INLINE_FREE);
            for (int i = 0; i < Meta.inlineCapacity(512); i++) {
                Meta.setEntry(inline, i, Meta.freeEntry(2L + i, i % 3));
            }
            distinct(512, 9, 16).writeTo(page);
            for (long b = Meta.LAYOUT.byteSize(); b < Meta.INLINE_FREE; b++) {
                assertThat(page.get(ValueLayout.JAVA_BYTE, b)).as("byte %d", b).isZero();
            }
            for (int i = 0; i < Meta.inlineCapacity(512); i++) {
                assertThat(Meta.getEntry(inline, i)).isEqualTo(Meta.freeEntry(2L + i, i % 3));
            }
            assertThat(Meta.check(page, 512)).isEqualTo(Status.VALID);
        }
    }

    @Test
    void aFlippedBitIsNoMagicInTheMagicBadCrcUpToTheCrcAndIgnoredAfterIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = page(arena, 512, distinct(512, 3, 16));
            for (long bit = 0; bit < 8 * 512; bit++) {
                long at = bit / 8;
                byte before = page.get(ValueLayout.JAVA_BYTE, at);
                page.set(ValueLayout.JAVA_BYTE, at, (byte) (before ^ (1 << (bit % 8))));
                Status expected = at < 8 ? Status.NO_MAGIC : at < CRC + 4 ? Status.BAD_CRC : Status.VALID;
                assertThat(Meta.check(page, 512)).as("bit %d flipped", bit).isEqualTo(expected);
                page.set(ValueLayout.JAVA_BYTE, at, before);
            }
            assertThat(Meta.check(page, 512)).isEqualTo(Status.VALID);
        }
    }

    @Test
    void aZeroPageOrOneShorterThanTheMetaHasNoMagic() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(Meta.check(arena.allocate(4096), 4096)).isEqualTo(Status.NO_MAGIC);
            MemorySegment page = page(arena, 4096, distinct(4096, 1, 16));
            assertThat(Meta.check(page.asSlice(0, Meta.LAYOUT.byteSize() - 1), 4096)).isEqualTo(Status.NO_MAGIC);
            assertThat(Meta.check(page.asSlice(0, Meta.LAYOUT.byteSize()), 4096)).isEqualTo(Status.VALID);
        }
    }

    @Test
    void anotherVersionIsBadVersionOnceItsCrcHoldsAndBeforeThePageSize() {
        try (Arena arena = Arena.ofConfined()) {
            for (int version : new int[] {0, Meta.FORMAT_VERSION + 1, -1}) {
                MemorySegment page = page(arena, 4096, distinct(4096, 5, 16));
                page.set(U32, VERSION, version);
                assertThat(Meta.check(page, 4096)).as("not resealed").isEqualTo(Status.BAD_CRC);
                reseal(page);
                assertThat(Meta.check(page, 4096)).isEqualTo(Status.BAD_VERSION);
                assertThat(Meta.check(page, 8192)).as("also another page size").isEqualTo(Status.BAD_VERSION);
                assertThat(Meta.versionOf(page)).isEqualTo(version);
            }
        }
    }

    @Test
    void anotherPageSizeIsBadPageSizeAndNamesTheRecordedOne() {
        try (Arena arena = Arena.ofConfined()) {
            for (int ps : PAGE_SIZES) {
                MemorySegment page = page(arena, ps, distinct(ps, 5, 16));
                assertThat(Meta.pageSizeOf(page)).isEqualTo(ps);
                assertThat(Meta.versionOf(page)).isEqualTo(Meta.FORMAT_VERSION);
                assertThat(Meta.check(page, ps * 2)).isEqualTo(Status.BAD_PAGE_SIZE);
                assertThat(Meta.check(page, ps / 2)).isEqualTo(Status.BAD_PAGE_SIZE);
                page.set(U32, PAGE_SIZE, ps * 2);
                reseal(page);
                assertThat(Meta.check(page, ps)).isEqualTo(Status.BAD_PAGE_SIZE);
                assertThat(Meta.pageSizeOf(page)).isEqualTo(ps * 2);
            }
        }
    }

    @Test
    void aMetaHoldsSixteenRootsOfItsOwn() {
        long[] roots = new long[Meta.ROOTS];
        roots[3] = 42;
        Meta m = new Meta(512, 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, roots);
        roots[3] = 7;
        m.roots()[3] = 7;
        assertThat(m.root(3)).as("copied in and out").isEqualTo(42);
        for (int n : new int[] {0, Meta.ROOTS - 1, Meta.ROOTS + 1}) {
            assertThatThrownBy(() -> new Meta(512, 1, 16, 0, 0, 0, 0, 0, 0, 0, 0, new long[n]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void freeEntriesRoundTripTheirPageAndOrder() {
        long[] pages = {0, 2, 1L << 31, 1L << 40, (1L << 56) - 1}; // 56 bits of page: entryPage shifts unsigned
        int[] orders = {0, 1, Chunks.MAX_ORDER, 255};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(8L * pages.length * orders.length + 8).fill((byte) 0x5A);
            int i = 0;
            for (long p : pages) {
                for (int n : orders) {
                    long e = Meta.freeEntry(p, n);
                    assertThat(Meta.entryPage(e)).as("page of %d/%d", p, n).isEqualTo(p);
                    assertThat(Meta.entryOrder(e)).as("order of %d/%d", p, n).isEqualTo(n);
                    Meta.setEntry(block, i++, e);
                }
            }
            i = 0;
            for (long p : pages) {
                for (int n : orders) {
                    assertThat(block.get(U64, 8L * i)).as("entry %d, little-endian", i).isEqualTo(Meta.freeEntry(p, n));
                    assertThat(Meta.getEntry(block, i++)).isEqualTo(Meta.freeEntry(p, n));
                }
            }
            assertThat(block.get(U64, 8L * i)).as("past the last entry").isEqualTo(0x5A5A_5A5A_5A5A_5A5AL);
        }
    }

    @Test
    void commitRecordEntriesRoundTripAndZeroTheirReservedWord() {
        int[] crcs = {0, -1, Integer.MIN_VALUE, 0x1234_5678};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment r = arena.allocate(Meta.RECORD_ENTRY.byteSize() * (crcs.length + 1)).fill((byte) -1);
            for (int i = 0; i < crcs.length; i++) {
                Meta.setRecord(r, i, Meta.freeEntry(2L << i, i), crcs[i]);
            }
            for (int i = 0; i < crcs.length; i++) {
                long e = Meta.recordBlock(r, i);
                assertThat(Meta.entryPage(e)).isEqualTo(2L << i);
                assertThat(Meta.entryOrder(e)).isEqualTo(i);
                assertThat(Meta.recordCrc(r, i)).isEqualTo(crcs[i]);
                long at = Meta.RECORD_ENTRY.byteSize() * i;
                assertThat(r.get(U64, at)).isEqualTo(e);
                assertThat(r.get(U32, at + 8)).isEqualTo(crcs[i]);
                assertThat(r.get(U32, at + 12)).as("reserved word of entry %d", i).isZero();
            }
            assertThat(r.get(U64, Meta.RECORD_ENTRY.byteSize() * crcs.length)).as("past the last entry").isEqualTo(-1L);
        }
    }

    @Test
    void freeEntriesAreInTheMetaOfTheTransactionOrInTheirBlock() {
        try (SimulatedPageFile file = SimulatedPageFile.of(new byte[16 * 512], 512)) {
            Meta old = new Meta(512, 4, 16, 0, 0, 1, 0, 0, 0, 0, 0, new long[Meta.ROOTS]);
            Meta cur = new Meta(512, 5, 16, 0, 0, 1, 0, 0, 0, 0, 0, new long[Meta.ROOTS]);
            for (int slot = 0; slot < 2; slot++) { // the newer state in either slot
                (slot == 0 ? cur : old).writeTo(file.pages(0, 1));
                (slot == 0 ? old : cur).writeTo(file.pages(1, 1));
                Meta.setEntry(file.pages(slot, 1).asSlice(Meta.INLINE_FREE), 0, Meta.freeEntry(8, 3));
                assertThat(Meta.getEntry(Meta.freeEntries(file, cur), 0)).as("slot %d", slot)
                        .isEqualTo(Meta.freeEntry(8, 3));
            }
            Meta none = new Meta(512, 6, 16, 0, 0, 0, 0, 0, 0, 0, 0, new long[Meta.ROOTS]);
            assertThat(Meta.freeEntries(file, none)).isNull();
            Meta inBlock = new Meta(512, 6, 16, 4, 2, 3, 0, 0, 0, 0, 0, new long[Meta.ROOTS]);
            Meta.setEntry(file.pages(4, 4), 2, Meta.freeEntry(12, 2));
            MemorySegment block = Meta.freeEntries(file, inBlock);
            assertThat(block.byteSize()).isEqualTo(4 * 512);
            assertThat(Meta.getEntry(block, 2)).isEqualTo(Meta.freeEntry(12, 2));
            Meta lost = new Meta(512, 9, 16, 0, 0, 1, 0, 0, 0, 0, 0, new long[Meta.ROOTS]);
            assertThatThrownBy(() -> Meta.freeEntries(file, lost)).isInstanceOf(IllegalStateException.class);
        }
    }
}
