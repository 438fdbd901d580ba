package org.skipstore.pagestore.internal.engine;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.skipstore.pagestore.internal.StoreFailure;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * The payload of one log record: a write batch, as {@code WriteBatch} builds it and the engine
 * applies it, from the caller's buffer on the write path and from the log on replay.
 *
 * <pre>
 *  batch := count:u32 op*           (little-endian, packed: no alignment)
 *  op    := kind:u8 keyLength:u32 valueLength:u32 key[keyLength] value[valueLength]
 * </pre>
 * A delete has {@code valueLength} 0 and no value bytes. A metadata operation
 * ({@link #METADATA}) sets a commit-metadata name (the key, UTF-8) to a value: it rides with the
 * batch's data and becomes durable with it (with its log record, or without a log with the flush
 * that commits the batch). The record's CRC (the log's framing)
 * covers the payload, so a decoder that finds lengths out of bounds has met a bug or a
 * deliberately forged file, not a torn write: it says so as corruption.
 */
public final class BatchFormat {

    private BatchFormat() {
    }

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte METADATA = 3;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    public static final StructLayout HEADER = MemoryLayout.structLayout(U32.withName("count"));
    public static final StructLayout OP = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("kind"),
            U32.withName("keyLength"),
            U32.withName("valueLength"));

    public static final long COUNT = HEADER.byteOffset(groupElement("count"));
    public static final long KIND = OP.byteOffset(groupElement("kind"));
    public static final long KEY_LENGTH = OP.byteOffset(groupElement("keyLength"));
    public static final long VALUE_LENGTH = OP.byteOffset(groupElement("valueLength"));

    /** Receives the operations of a batch, in order; the segments are views valid during the call. */
    public interface Ops<X extends Exception> {
        void put(MemorySegment key, MemorySegment value) throws X;

        void delete(MemorySegment key) throws X;

        /** Commit metadata {@code name} (UTF-8 bytes) set to {@code value}. */
        void metadata(MemorySegment name, MemorySegment value) throws X;
    }

    /** Calls {@code ops} for each operation of {@code batch}; returns how many there were. */
    public static <X extends Exception> int decode(MemorySegment batch, Ops<X> ops) throws X, StoreFailure {
        long size = batch.byteSize();
        if (size < HEADER.byteSize()) {
            throw malformed("shorter than its header", 0);
        }
        int count = batch.get(U32, COUNT);
        long at = HEADER.byteSize();
        for (int i = 0; i < count; i++) {
            if (size - at < OP.byteSize()) {
                throw malformed("operation " + i + " passes the end", at);
            }
            byte kind = batch.get(ValueLayout.JAVA_BYTE, at + KIND);
            long kl = Integer.toUnsignedLong(batch.get(U32, at + KEY_LENGTH));
            long vl = Integer.toUnsignedLong(batch.get(U32, at + VALUE_LENGTH));
            long key = at + OP.byteSize();
            if (kl + vl > size - key || (kind == DELETE && vl != 0)) {
                throw malformed("operation " + i + " has lengths " + kl + "/" + vl + " that pass the end", at);
            }
            MemorySegment k = batch.asSlice(key, kl);
            switch (kind) {
                case PUT -> ops.put(k, batch.asSlice(key + kl, vl));
                case DELETE -> ops.delete(k);
                case METADATA -> ops.metadata(k, batch.asSlice(key + kl, vl));
                default -> throw malformed("operation " + i + " has unknown kind " + kind, at);
            }
            at = key + kl + vl;
        }
        if (at != size) {
            throw malformed((size - at) + " bytes follow the last operation", at);
        }
        return count;
    }

    private static StoreFailure malformed(String what, long at) {
        return new StoreFailure(Problem.CORRUPT, "a logged batch is malformed at byte " + at + ": " + what);
    }
}
