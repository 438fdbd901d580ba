package org.skipstore.arena;

/**
 * The figures of one shard of a {@link ShardedArena}, read at one moment.
 *
 * @param shard          the shard's index, {@code 0 <= shard < shardCount()}
 * @param allocatedBytes exact sum of the sizes of the shard's successful allocations
 * @param reservedBytes  bytes of the chunks the shard holds
 * @param chunks         number of chunks the shard holds
 */
public record ShardStats(int shard, long allocatedBytes, long reservedBytes, int chunks) {

    /** Reserved bytes not handed out: the free tail of the current chunk, abandoned tails, padding. */
    public long idleBytes() {
        return Math.max(0, reservedBytes - allocatedBytes);
    }

    /** {@code allocatedBytes / reservedBytes}, or 0 when nothing is reserved. */
    public double utilization() {
        return reservedBytes == 0 ? 0.0 : (double) allocatedBytes / reservedBytes;
    }
}
