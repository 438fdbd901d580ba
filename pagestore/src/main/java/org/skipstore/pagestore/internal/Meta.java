package org.skipstore.pagestore.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A meta page: the root of one committed state. Pages 0 and 1 of every file are the two meta
 * slots; open takes the valid one with the highest transaction id ({@link Pager}).
 *
 * <pre>
 *   0  magic        8   "SKIPSTOR" (big-endian): what makes a file a Skipstore file
 *   8  version      4   {@link #FORMAT_VERSION}
 *  12  pageSize     4
 *  16  txnId        8   the commit's transaction id; the state of transaction 0 is the empty file
 *  24  pageCount    8   logical length: pages of the file this state uses (a chunk capacity)
 *  32  freeList     8   first page of the block that lists the free blocks (0: none)
 *  40  freeOrder    4   its order
 *  44  freeCount    4   entries in it
 *  48  freeCrc      4   CRC32C of those entries
 *  52  recordOrder  4   order of the commit record block
 *  56  record       8   first page of the commit record (0: none, see below)
 *  64  recordCount  4   entries in it
 *  68  recordCrc    4   CRC32C of those entries
 *  72  roots       128  16 words for the structure on top (B-skip-list level roots, counters)
 * 200  metadata     8   first page of the block of the commit's named values (0: none, see below)
 * 208  metadataOrder  4 its order
 * 212  metadataBytes  4 the encoded values' length in it ({@link CommitMetadata})
 * 216  metadataCrc  4   CRC32C of those bytes
 * 220  filePages    4   pages of the file this state's blocks lie in: the file's length when it was
 *                       committed; a file shorter than that lost some of them
 * 224  crc          4   CRC32C of bytes 0..223
 * </pre>
 *
 * All fields are little-endian except the magic, which reads as text in a hex dump. The meta
 * fits in the first 512-byte sector, so a torn write of the page tears it whole or not at all
 * on most disks; the CRC catches the rest.
 *
 * <p>The <b>free list</b> lives in the meta page itself, from byte {@link #INLINE_FREE}, while it
 * fits ({@code freeList} is then 0 and {@code freeCount} the entries there), and in a block of
 * its own otherwise. Inline, a small commit writes one page less: SYNC's phase 1 forces only the
 * transaction's own blocks. The free list's CRC is separate from the meta's, so a meta page torn
 * between its sectors fails one of the two.
 *
 * <p>The <b>commit record</b> lists {@code (first page, order, CRC32C)} of every block the state
 * depends on that may not be durable yet. A two-phase commit forces its blocks before it writes
 * the meta and needs none; a single-barrier or unforced commit writes blocks and meta under one
 * force (or none), so a meta may reach the disk before its blocks, and recovery trusts it only
 * when every listed block checks out ({@link #RECORD_ENTRY}).
 *
 * <p>The <b>commit metadata</b>, named values a transaction sets with its data (the engine's
 * flushed log sequence, a Kafka Streams store's changelog offsets), lives in a block of its own
 * that is part of the state like any other: written copy-on-write by the commit that changes it,
 * listed in its record, and shared unchanged by the commits that do not. So a state's metadata and
 * data are always from the same commit.
 */
public final class Meta {

    /** "SKIPSTOR". */
    public static final long MAGIC = 0x534B_4950_5354_4F52L;
    /** 3: {@code filePages} (the file grows by its writes, no longer by whole chunks). */
    public static final int FORMAT_VERSION = 3;
    /** Meta slots: pages 0 and 1. */
    public static final int SLOTS = 2;
    /** Root words for the structure on top. */
    public static final int ROOTS = 16;
    /** Offset of an inline free list in the meta page. */
    public static final long INLINE_FREE = 256;

    private static final ValueLayout.OfLong U64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong MAGIC_BE = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MAGIC_BE.withName("magic"),
            U32.withName("version"),
            U32.withName("pageSize"),
            U64.withName("txnId"),
            U64.withName("pageCount"),
            U64.withName("freeList"),
            U32.withName("freeOrder"),
            U32.withName("freeCount"),
            U32.withName("freeCrc"),
            U32.withName("recordOrder"),
            U64.withName("record"),
            U32.withName("recordCount"),
            U32.withName("recordCrc"),
            MemoryLayout.sequenceLayout(ROOTS, U64).withName("roots"),
            U64.withName("metadata"),
            U32.withName("metadataOrder"),
            U32.withName("metadataBytes"),
            U32.withName("metadataCrc"),
            U32.withName("filePages"),
            U32.withName("crc")).withName("meta");

    /** One entry of the free list: {@code page << 8 | order}. */
    public static final ValueLayout.OfLong FREE_ENTRY = U64;
    /** One entry of the commit record: {@code page << 8 | order}, then the block's CRC32C, then 0. */
    public static final StructLayout RECORD_ENTRY = MemoryLayout.structLayout(
            U64.withName("block"), U32.withName("crc"), U32.withName("reserved"));

    private static final long MAGIC_AT = off("magic");
    private static final long VERSION = off("version");
    private static final long PAGE_SIZE = off("pageSize");
    private static final long TXN_ID = off("txnId");
    private static final long PAGE_COUNT = off("pageCount");
    private static final long FREE_LIST = off("freeList");
    private static final long FREE_ORDER = off("freeOrder");
    private static final long FREE_COUNT = off("freeCount");
    private static final long FREE_CRC = off("freeCrc");
    private static final long RECORD_ORDER = off("recordOrder");
    private static final long RECORD = off("record");
    private static final long RECORD_COUNT = off("recordCount");
    private static final long RECORD_CRC = off("recordCrc");
    private static final long ROOTS_OFFSET = off("roots");
    private static final long METADATA = off("metadata");
    private static final long METADATA_ORDER = off("metadataOrder");
    private static final long METADATA_BYTES = off("metadataBytes");
    private static final long METADATA_CRC = off("metadataCrc");
    private static final long FILE_PAGES = off("filePages");
    private static final long CRC = off("crc");

    private static final long RECORD_BLOCK = RECORD_ENTRY.byteOffset(groupElement("block"));
    private static final long RECORD_CRC_AT = RECORD_ENTRY.byteOffset(groupElement("crc"));
    private static final long RECORD_RESERVED = RECORD_ENTRY.byteOffset(groupElement("reserved"));

    static {
        if (LAYOUT.byteSize() > INLINE_FREE) { // the inline free list starts there
            throw new ExceptionInInitializerError("the meta layout (" + LAYOUT.byteSize() + " bytes) passes INLINE_FREE");
        }
    }

    private static long off(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    // The decoded fields of one meta: an immutable value.
    public final int pageSize;
    public final long txnId;
    public final long pageCount;
    /** Pages of the file every block of this state lies in (at most {@link #pageCount}). */
    public final long filePages;
    public final long freeList;
    public final int freeOrder;
    public final int freeCount;
    public final int freeCrc;
    public final long record;
    public final int recordOrder;
    public final int recordCount;
    public final int recordCrc;
    private final long[] roots;
    /** The block of the commit metadata, or {@link Stored#NONE}. */
    public final Stored metadata;

    /** Where a state's commit metadata is: its block, the encoded length and their CRC32C. */
    public record Stored(long page, int order, int bytes, int crc) {
        /** No metadata. */
        public static final Stored NONE = new Stored(0, 0, 0, 0);

        public boolean isNone() {
            return page == 0;
        }
    }

    /** A meta without commit metadata, in a file of all its {@code pageCount} pages. */
    public Meta(int pageSize, long txnId, long pageCount, long freeList, int freeOrder, int freeCount, int freeCrc,
            long record, int recordOrder, int recordCount, int recordCrc, long[] roots) {
        this(pageSize, txnId, pageCount, pageCount, freeList, freeOrder, freeCount, freeCrc, record, recordOrder,
                recordCount, recordCrc, roots, Stored.NONE);
    }

    public Meta(int pageSize, long txnId, long pageCount, long filePages, long freeList, int freeOrder, int freeCount,
            int freeCrc, long record, int recordOrder, int recordCount, int recordCrc, long[] roots, Stored metadata) {
        this.pageSize = pageSize;
        this.txnId = txnId;
        this.pageCount = pageCount;
        this.filePages = filePages;
        this.freeList = freeList;
        this.freeOrder = freeOrder;
        this.freeCount = freeCount;
        this.freeCrc = freeCrc;
        this.record = record;
        this.recordOrder = recordOrder;
        this.recordCount = recordCount;
        this.recordCrc = recordCrc;
        this.roots = roots.clone();
        this.metadata = metadata;
        if (roots.length != ROOTS) {
            throw new IllegalArgumentException("a meta has " + ROOTS + " roots");
        }
    }

    public long root(int i) {
        return roots[i];
    }

    public long[] roots() {
        return roots.clone();
    }

    /** Writes this meta's fields into {@code page}, and zeros up to {@link #INLINE_FREE}. */
    public void writeTo(MemorySegment page) {
        page.asSlice(0, INLINE_FREE).fill((byte) 0);
        page.set(MAGIC_BE, MAGIC_AT, MAGIC);
        page.set(U32, VERSION, FORMAT_VERSION);
        page.set(U32, PAGE_SIZE, pageSize);
        page.set(U64, TXN_ID, txnId);
        page.set(U64, PAGE_COUNT, pageCount);
        page.set(U64, FREE_LIST, freeList);
        page.set(U32, FREE_ORDER, freeOrder);
        page.set(U32, FREE_COUNT, freeCount);
        page.set(U32, FREE_CRC, freeCrc);
        page.set(U32, RECORD_ORDER, recordOrder);
        page.set(U64, RECORD, record);
        page.set(U32, RECORD_COUNT, recordCount);
        page.set(U32, RECORD_CRC, recordCrc);
        for (int i = 0; i < ROOTS; i++) {
            page.set(U64, ROOTS_OFFSET + U64.byteSize() * i, roots[i]);
        }
        page.set(U64, METADATA, metadata.page());
        page.set(U32, METADATA_ORDER, metadata.order());
        page.set(U32, METADATA_BYTES, metadata.bytes());
        page.set(U32, METADATA_CRC, metadata.crc());
        page.set(U32, FILE_PAGES, (int) filePages); // at most pageCount, which stays below 2^31 (Space)
        page.set(U32, CRC, Checksums.crc32c(page, 0, CRC));
    }

    /** What reading a meta slot found. */
    public enum Status { VALID, NO_MAGIC, BAD_CRC, BAD_VERSION, BAD_PAGE_SIZE }

    /** Checks the slot's magic, CRC, version and page size, in that order. */
    public static Status check(MemorySegment page, int expectedPageSize) {
        if (page.byteSize() < LAYOUT.byteSize() || page.get(MAGIC_BE, MAGIC_AT) != MAGIC) {
            return Status.NO_MAGIC;
        }
        if (page.get(U32, CRC) != Checksums.crc32c(page, 0, CRC)) {
            return Status.BAD_CRC;
        }
        if (page.get(U32, VERSION) != FORMAT_VERSION) {
            return Status.BAD_VERSION;
        }
        if (page.get(U32, PAGE_SIZE) != expectedPageSize) {
            return Status.BAD_PAGE_SIZE;
        }
        return Status.VALID;
    }

    /** The page size a slot with a valid CRC records (to name it in an error). */
    public static int pageSizeOf(MemorySegment page) {
        return page.get(U32, PAGE_SIZE);
    }

    /** The format version a slot with a valid CRC records. */
    public static int versionOf(MemorySegment page) {
        return page.get(U32, VERSION);
    }

    /** Decodes a slot that {@link #check} found valid. */
    public static Meta read(MemorySegment page) {
        long[] roots = new long[ROOTS];
        for (int i = 0; i < ROOTS; i++) {
            roots[i] = page.get(U64, ROOTS_OFFSET + U64.byteSize() * i);
        }
        return new Meta(page.get(U32, PAGE_SIZE), page.get(U64, TXN_ID), page.get(U64, PAGE_COUNT),
                Integer.toUnsignedLong(page.get(U32, FILE_PAGES)), page.get(U64, FREE_LIST), page.get(U32, FREE_ORDER), page.get(U32, FREE_COUNT), page.get(U32, FREE_CRC),
                page.get(U64, RECORD), page.get(U32, RECORD_ORDER), page.get(U32, RECORD_COUNT),
                page.get(U32, RECORD_CRC), roots, new Stored(page.get(U64, METADATA), page.get(U32, METADATA_ORDER),
                page.get(U32, METADATA_BYTES), page.get(U32, METADATA_CRC)));
    }

    /** Free-list entries that fit in a meta page of {@code pageSize} bytes. */
    static long inlineCapacity(int pageSize) {
        return (pageSize - INLINE_FREE) / FREE_ENTRY.byteSize();
    }

    /**
     * The segment that holds {@code m}'s free-list entries: its block, or its own meta page (the
     * slot whose transaction id is {@code m}'s); null when it has none.
     */
    static MemorySegment freeEntries(PageFile file, Meta m) {
        if (m.freeList != 0) {
            return file.pages(m.freeList, 1L << m.freeOrder);
        }
        if (m.freeCount == 0) {
            return null;
        }
        for (int slot = 0; slot < 2; slot++) {
            MemorySegment page = file.pages(slot, 1);
            if (page.get(U64, TXN_ID) == m.txnId && page.get(MAGIC_BE, MAGIC_AT) == MAGIC) {
                return page.asSlice(INLINE_FREE);
            }
        }
        throw new IllegalStateException("no meta slot holds transaction " + m.txnId);
    }

    static long freeEntry(long page, int order) {
        return page << 8 | order;
    }

    public static long entryPage(long entry) {
        return entry >>> 8;
    }

    public static int entryOrder(long entry) {
        return (int) (entry & 0xFF);
    }

    static long getEntry(MemorySegment block, long index) {
        return block.get(FREE_ENTRY, FREE_ENTRY.byteSize() * index);
    }

    static void setEntry(MemorySegment block, long index, long entry) {
        block.set(FREE_ENTRY, FREE_ENTRY.byteSize() * index, entry);
    }

    static long recordBlock(MemorySegment block, long index) {
        return block.get(U64, RECORD_ENTRY.byteSize() * index + RECORD_BLOCK);
    }

    static int recordCrc(MemorySegment block, long index) {
        return block.get(U32, RECORD_ENTRY.byteSize() * index + RECORD_CRC_AT);
    }

    static void setRecord(MemorySegment block, long index, long entry, int crc) {
        long at = RECORD_ENTRY.byteSize() * index;
        block.set(U64, at + RECORD_BLOCK, entry);
        block.set(U32, at + RECORD_CRC_AT, crc);
        block.set(U32, at + RECORD_RESERVED, 0);
    }

    @Override
    public String toString() {
        return "Meta[txn=" + txnId + ", pages=" + pageCount + ", file=" + filePages + ", freeList=" + freeList + "/" + freeCount
                + ", record=" + record + "/" + recordCount
                + (metadata.isNone() ? "" : ", metadata=" + metadata.page() + "/" + metadata.bytes() + " B")
                + ", roots=" + Arrays.toString(roots) + "]";
    }
}
