package org.skipstore.pagestore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.skipstore.pagestore.internal.CommitMetadata;
import org.skipstore.pagestore.internal.engine.BatchFormat;

/**
 * Writes applied together by {@link Skipstore#write(WriteBatch)}: atomically (a reader, a
 * snapshot and a recovery see all of them or none) and in order (a later operation on the same
 * key wins). The operations are copied in as they are added, in the log's record format
 * ({@code BatchFormat}), so the batch may be reused after {@link #clear()} and its arguments
 * changed once a method returns. Not thread-safe.
 *
 * <p>The buffer is native memory (freed by the garbage collector with the batch): the memtable
 * reads the operations from it, and the memtable's search code must see only native segments
 * to stay inlined (see the store's {@code NativeKeys}).
 *
 * <p>A batch may also set commit metadata ({@link #putMetadata}): the names and values become
 * visible with the batch's writes ({@link Skipstore#metadata()}) and durable with them, as the
 * batch's durability says; without a log, with the flush that makes the batch durable. A
 * consumer of a changelog records its position this way (Kafka Streams' offsets), with no
 * checkpoint of its own.
 *
 * <pre>{@code
 * WriteBatch batch = new WriteBatch().put(k1, v1).delete(k2);
 * db.write(batch);
 * }</pre>
 */
public final class WriteBatch {

    private static final int HEADER = (int) BatchFormat.HEADER.byteSize();
    private static final int OP = (int) BatchFormat.OP.byteSize();
    /**
     * What a memtable spends on an operation beyond its key and value, generously: a node's
     * header and level-0 link are 32 bytes, its alignment up to 7, and half the nodes have a tower
     * (its reference, and 8 bytes a level: about 16 bytes on average, 200 at most). Over a batch it bounds the batch's memtable footprint ({@link #memtableBytes()}),
     * which must fit in a fresh memtable.
     */
    static final int NODE_OVERHEAD = 128;

    private MemorySegment buf;
    private int size = HEADER;
    private int count;
    private int maxKey;
    private long maxValue;
    /** The metadata set, in order, later values replacing earlier ones; null until the first. */
    private Map<String, byte[]> metadata;

    /** An empty batch. */
    public WriteBatch() {
        this(256);
    }

    /**
     * An empty batch whose native buffer starts with room for {@code reservedBytes} of encoded
     * operations (as RocksDB's {@code WriteBatch(reserved_bytes)}): a batch reused at a known size
     * then never grows its buffer, each growth leaving the one before to the garbage collector.
     */
    public WriteBatch(int reservedBytes) {
        if (reservedBytes < 0) {
            throw new IllegalArgumentException("reservedBytes " + reservedBytes + " is negative");
        }
        buf = Arena.ofAuto().allocate(Math.max(HEADER, reservedBytes));
    }

    /** Sets {@code key} to {@code value}. */
    public WriteBatch put(byte[] key, byte[] value) {
        add(BatchFormat.PUT, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Sets {@code key} to {@code value}; both are copied. */
    public WriteBatch put(MemorySegment key, MemorySegment value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        add(BatchFormat.PUT, key, value);
        return this;
    }

    /** Removes {@code key} (a tombstone: also when it is absent). */
    public WriteBatch delete(byte[] key) {
        add(BatchFormat.DELETE, Objects.requireNonNull(key, "key"), null);
        return this;
    }

    /** Removes {@code key}; it is copied. */
    public WriteBatch delete(MemorySegment key) {
        Objects.requireNonNull(key, "key");
        add(BatchFormat.DELETE, key, null);
        return this;
    }

    /**
     * Sets commit metadata {@code name} to {@code value} (copied), atomically with the batch's
     * other operations.
     *
     * @throws IllegalArgumentException when {@code name} starts with {@link Skipstore#RESERVED_PREFIX}
     *         or is not a metadata name (at most 255 UTF-8 bytes); the size of what the database
     *         would then hold is checked when the batch is written
     */
    public WriteBatch putMetadata(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.startsWith(Skipstore.RESERVED_PREFIX)) {
            throw new IllegalArgumentException("metadata names starting with " + Skipstore.RESERVED_PREFIX
                    + " are the engine's");
        }
        byte[] n = CommitMetadata.checkName(name);
        add(BatchFormat.METADATA, MemorySegment.ofArray(n), MemorySegment.ofArray(value));
        if (metadata == null) {
            metadata = new LinkedHashMap<>();
        }
        metadata.put(name, value.clone());
        return this;
    }

    private void add(byte kind, MemorySegment key, MemorySegment value) {
        long kl = key.byteSize();
        long vl = value == null ? 0 : value.byteSize();
        long at = op(kind, kl, vl);
        MemorySegment.copy(key, 0, buf, at, kl);
        if (vl > 0) {
            MemorySegment.copy(value, 0, buf, at + kl, vl);
        }
    }

    /**
     * {@link #add(byte, MemorySegment, MemorySegment)} from arrays, copied as they are: a heap
     * segment around each would make the JDK's copy see heap and native sources at one call site,
     * which slows every copy in the process (module-info-notes, "Keys are read from native memory").
     */
    private void add(byte kind, byte[] key, byte[] value) {
        int vl = value == null ? 0 : value.length;
        long at = op(kind, key.length, vl);
        MemorySegment.copy(key, 0, buf, ValueLayout.JAVA_BYTE, at, key.length);
        if (vl > 0) {
            MemorySegment.copy(value, 0, buf, ValueLayout.JAVA_BYTE, at + key.length, vl);
        }
    }

    /** Appends an operation's header, with room for its key and value after it: returns where the key goes. */
    private long op(byte kind, long kl, long vl) {
        long need = (long) size + OP + kl + vl;
        if (kl > Integer.MAX_VALUE || need > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the batch would pass 2 GiB");
        }
        if (need > buf.byteSize()) {
            MemorySegment bigger = Arena.ofAuto().allocate(Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2 * buf.byteSize())));
            MemorySegment.copy(buf, 0, bigger, 0, size);
            buf = bigger;
        }
        MemorySegment b = buf;
        b.set(ValueLayout.JAVA_BYTE, size + BatchFormat.KIND, kind);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, size + BatchFormat.KEY_LENGTH, (int) kl);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, size + BatchFormat.VALUE_LENGTH, (int) vl);
        long at = size + OP;
        size = (int) need;
        count++;
        maxKey = (int) Math.max(maxKey, kl);
        maxValue = Math.max(maxValue, vl);
        b.set(ValueLayout.JAVA_INT_UNALIGNED, BatchFormat.COUNT, count);
        return at;
    }

    /** Operations added. */
    public int count() {
        return count;
    }

    /** Whether it holds no operation. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** Bytes of the encoded batch (what the log record's payload will be). */
    public long byteSize() {
        return size;
    }

    /** Empties the batch, keeping its buffer. */
    public WriteBatch clear() {
        size = HEADER;
        count = 0;
        maxKey = 0;
        maxValue = 0;
        metadata = null;
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, BatchFormat.COUNT, 0);
        return this;
    }

    /**
     * The largest value that a batch of one put, with a key of up to {@code maxKey} bytes, may
     * carry and still take at most {@code maxBatchBytes} ({@link #memtableBytes()}).
     */
    static long largestValue(long maxBatchBytes, int maxKey) {
        return maxBatchBytes - HEADER - OP - NODE_OVERHEAD - maxKey;
    }

    /** What the batch takes in a memtable, generously ({@link #NODE_OVERHEAD}). */
    long memtableBytes() {
        return size + (long) count * NODE_OVERHEAD;
    }

    /** The encoded batch: a view of the buffer, valid until the batch changes. */
    MemorySegment payload() {
        return buf.asSlice(0, size);
    }

    /** The metadata the batch sets (empty when none). */
    Map<String, byte[]> metadata() {
        return metadata == null ? Map.of() : Collections.unmodifiableMap(metadata);
    }

    int maxKeyBytes() {
        return maxKey;
    }

    long maxValueBytes() {
        return maxValue;
    }

    @Override
    public String toString() {
        return "WriteBatch[" + count + " operations, " + size + " bytes]";
    }
}
