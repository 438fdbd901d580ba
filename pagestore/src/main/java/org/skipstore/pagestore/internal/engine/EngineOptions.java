package org.skipstore.pagestore.internal.engine;

import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.skipstore.pagestore.WriteDurability;

/**
 * The engine's settings, checked by the public builder.
 *
 * @param memtableBytes       a memtable's memory limit; it is sealed when a write does not fit
 * @param maxSealed           sealed memtables that may wait for a flush before writers stall
 * @param durability          the database's mode
 * @param logSegmentBytes     a log segment's size after which the next group starts a new one
 * @param filePermissions     of every file the engine creates (the directory gets them plus
 *                            the search bits of the classes that may read)
 * @param openAtLastConsistentPoint open a damaged log at its last good record instead of failing
 * @param pageSize            the store's page size
 * @param createIfMissing     create the directory and database when missing
 * @param memtableShards      arena shards of each memtable
 */
public record EngineOptions(long memtableBytes, int maxSealed, WriteDurability durability, long logSegmentBytes,
                            Set<PosixFilePermission> filePermissions, boolean openAtLastConsistentPoint, int pageSize,
                            boolean createIfMissing, int memtableShards) {

    public EngineOptions {
        filePermissions = Set.copyOf(filePermissions);
    }

    /** A group's bytes at most: a quarter of a memtable, so a group seals at most one memtable. */
    long maxGroupBytes() {
        return Math.max(1, Math.min(4L << 20, memtableBytes / 4));
    }

    /** A batch's encoded bytes at most: half a memtable, so a batch fits in a new memtable whatever its nodes cost. */
    public long maxBatchBytes() {
        return memtableBytes / 2;
    }
}
