package org.skipstore.pagestore;

/**
 * What {@link PageStore#stats()} and {@link PageStore#verify()} report; {@code recovery} is
 * {@link PageStore#recovery()}'s, or null.
 */
public record PageStoreStats(long entries, int levels, long[] partitionsPerLevel, double averageFill, long fileBytes,
                             long freeBytes, long heldBytes, long outOfLineValues, int pageSize, int promotion,
                             long lastCommit, Recovery recovery) {

    /** Partitions on level {@code L} (0 is the data level). */
    public long partitions(int level) {
        return partitionsPerLevel[level];
    }

    @Override
    public long[] partitionsPerLevel() {
        return partitionsPerLevel.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageStoreStats s && entries == s.entries && levels == s.levels
                && java.util.Arrays.equals(partitionsPerLevel, s.partitionsPerLevel)
                && Double.compare(averageFill, s.averageFill) == 0 && fileBytes == s.fileBytes
                && freeBytes == s.freeBytes && heldBytes == s.heldBytes && outOfLineValues == s.outOfLineValues
                && pageSize == s.pageSize && promotion == s.promotion && lastCommit == s.lastCommit
                && java.util.Objects.equals(recovery, s.recovery);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(entries, levels, java.util.Arrays.hashCode(partitionsPerLevel), averageFill,
                fileBytes, freeBytes, heldBytes, outOfLineValues, pageSize, promotion, lastCommit, recovery);
    }

    @Override
    public String toString() {
        StringBuilder parts = new StringBuilder();
        for (int L = 0; L < levels; L++) {
            parts.append(L == 0 ? "" : " ").append(partitionsPerLevel[L]);
        }
        return String.format("%d entries, %d levels, partitions per level [%s], fill %.1f %%, file %d bytes "
                        + "(%d free, %d held for readers or recovery), %d out-of-line values, page %d, "
                        + "promotion 1/%d, commit %d", entries, levels, parts, averageFill * 100, fileBytes,
                freeBytes, heldBytes, outOfLineValues, pageSize, promotion, lastCommit)
                + (recovery == null ? "" : "; recovery: " + recovery.message());
    }
}
