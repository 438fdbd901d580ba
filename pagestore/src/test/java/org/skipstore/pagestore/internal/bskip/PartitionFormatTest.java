package org.skipstore.pagestore.internal.bskip;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The partition format is declared as layouts and its offsets derived: these pin what the layouts
 * derive, and the bytes of two blocks, to the format as files hold it (version
 * {@value Tree#FORMAT_VERSION}), so that a change to a layout cannot change the bytes on disk
 * unnoticed.
 */
class PartitionFormatTest {

    @Test
    void theDerivedOffsetsAreTheFormats() {
        assertThat(PartitionFormat.HEADER.byteSize()).isEqualTo(30);
        assertThat(new long[] {PartitionFormat.CRC, PartitionFormat.KIND, PartitionFormat.LEVEL, PartitionFormat.PAGES,
                PartitionFormat.COUNT, PartitionFormat.HEAP, PartitionFormat.GARBAGE, PartitionFormat.SHARED,
                PartitionFormat.FENCE})
                .containsExactly(0, 4, 5, 6, 8, 12, 16, 20, 22);
        assertThat(PartitionFormat.SLOTS).isEqualTo(30);
        assertThat(PartitionFormat.SLOT_BYTES).isEqualTo(4).isEqualTo(Partition.SLOT);
        assertThat(PartitionFormat.SLOT_NODE).isZero();
        assertThat(PartitionFormat.SLOT_HEAD).isEqualTo(2);
        assertThat(PartitionFormat.WIDE_SLOT_BYTES).isEqualTo(6);
        assertThat(PartitionFormat.WIDE_SLOT_NODE).isZero();
        assertThat(PartitionFormat.WIDE_SLOT_HEAD).isEqualTo(4);
        assertThat(PartitionFormat.NARROW_BLOCK).isEqualTo(65536);
        assertThat(PartitionFormat.DOWN.byteSize()).isEqualTo(8);
        assertThat(PartitionFormat.VALUE_PAGE.byteSize()).isEqualTo(8);
        assertThat(Partition.headerBytes()).isEqualTo(30);
        assertThat(Partition.PAGES).isEqualTo(Partition.HEADER.byteOffset(groupElement("pages"))).isEqualTo(6);
        assertThat(Tree.VALUE_OFFSET).isEqualTo(4);
        assertThat(new int[] {Tree.ROOT_COUNT, Tree.ROOT_FORMAT, Tree.ROOT_SEED}).containsExactly(8, 9, 10);
    }

    @Test
    void theBytesOfADataPartitionAreTheFormats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(160);
            Partition.init(p, Partition.DATA, 0, 3);
            check(PartitionEdits.insertData(p, 0, utf8("b"), utf8("1")));
            check(PartitionEdits.insertData(p, 0, utf8("a"), utf8("22")));
            check(PartitionEdits.insertData(p, 2, utf8("0123456789"), utf8("xyz")));
            check(PartitionEdits.insertOutOfLine(p, 3, utf8("oo"), 5000, 0x0102030405060708L));
            PartitionEdits.remove(p, 1); // "b" becomes garbage: 4 bytes
            // header: crc 0, kind 0, level 0, 3 pages, 3 nodes, heap at 123, 4 bytes of garbage, no shared
            // prefix ("a" and "b" share none), fence 0; slots (u16 node, u16 head: the key's first two
            // bytes, big-endian); then the nodes, node 0 last
            assertThat(hex(p)).isEqualTo(
                "0000000000000300030000007b000000"
                + "04000000000000000000000000009b00"
                + "0061880031307b006f6f7b006f6f0000"
                + "00000000000000000000000000000000"
                + "00000000000000000000000000000000"
                + "00000000000000000000000000000000"
                + "00000000000000000000000000000000"
                + "0000000000000000000000026f6f914e"
                + "08070605040302010a30313233343536"
                + "3738390678797a016202310161043232");
        }
    }

    @Test
    void theBytesOfAnIndexPartitionAreTheFormats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(96);
            Partition.init(p, Partition.INDEX, 5, 1);
            check(PartitionEdits.insertIndex(p, 0, utf8("k"), 0x1122334455667788L));
            check(PartitionEdits.insertIndex(p, 0, utf8("abcdefghij"), 9));
            // "k" alone shared all its byte; "abcdefghij" shares none with it
            assertThat(hex(p)).isEqualTo(
                "00000000010501000200000043000000"
                + "00000000000000000000000000004d00"
                + "62614300006b00000000000000000000"
                + "00000000000000000000000000000000"
                + "000000016b88776655443322110a6162"
                + "636465666768696a0900000000000000");
        }
    }

    @Test
    void theSharedPrefixAndTheHeadsAreTheFormats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(64);
            Partition.init(p, Partition.DATA, 0, 1);
            check(PartitionEdits.insertData(p, 0, utf8("user42"), utf8("")));
            check(PartitionEdits.insertData(p, 0, utf8("user17"), utf8("")));
            // shared 4 ("user"), fence "user" big-endian and zero-padded, stored little-endian;
            // slots: node 0 at 56, head "17"; node 1 at 48, head "42"
            assertThat(hex(p.asSlice(20, 18))).isEqualTo("0400" + "0000000072657375" + "3800" + "3731" + "3000" + "3234");
            assertThat(Partition.fence(p)).isEqualTo(0x7573657200000000L);
        }
    }

    @Test
    void theDescriptionListsEveryField() {
        String d = PartitionFormat.describe();
        System.out.print(d);
        for (String field : new String[] {"crc", "kind", "level", "pages", "count", "heap", "garbage", "shared",
            "fence", "node", "head", "wideSlot", "down", "valuePage"}) {
            assertThat(d).contains(field);
        }
        assertThat(d).contains("   30  slots").contains("    2  head     2").contains("    4  head     2");
    }

    private static MemorySegment utf8(String s) {
        return MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(MemorySegment p) {
        return HexFormat.of().formatHex(p.toArray(ValueLayout.JAVA_BYTE));
    }

    private static void check(boolean inserted) {
        assertThat(inserted).as("room for the node").isTrue();
    }
}
