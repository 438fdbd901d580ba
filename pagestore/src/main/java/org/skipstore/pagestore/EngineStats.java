package org.skipstore.pagestore;

import java.util.List;

/**
 * What a {@link Skipstore} holds and has done since it opened ({@link Skipstore#stats()}).
 *
 * @param sequence             the last write's log sequence visible to readers (one a batch)
 * @param flushedSequence      the last log sequence the store holds
 * @param sealedMemtables      sealed memtables waiting for a flush
 * @param memtableBytes        memory the memtables use now (the active and the sealed)
 * @param peakMemtableBytes    the most they used at once, seen at seals and flushes
 * @param flushes              flushes since open
 * @param flushedEntries       entries they wrote into the store
 * @param flushNanos           time they took
 * @param stalls               times writers waited for a flush (one under way included)
 * @param stallNanos           time they waited
 * @param slowdowns            write groups held back because a stall was near
 * @param slowdownNanos        time they were held back
 * @param logBytesWritten      bytes written to the log since open (records and headers)
 * @param logSegments          log segments now
 * @param meanGroupSize        writes a log force served, on average
 * @param storeFileBytes       the store file's size
 * @param replayedRecords      log records replayed at open
 * @param replayNanos          how long the open took, replay included
 * @param droppedAtOpen        what an open at the last consistent point dropped, in words; empty otherwise
 */
public record EngineStats(long sequence, long flushedSequence, int sealedMemtables, long memtableBytes,
                          long peakMemtableBytes, long flushes, long flushedEntries, long flushNanos, long stalls,
                          long stallNanos, long slowdowns, long slowdownNanos, long logBytesWritten, long logSegments,
                          double meanGroupSize, long storeFileBytes, long replayedRecords, long replayNanos, List<String> droppedAtOpen) {

    public EngineStats {
        droppedAtOpen = List.copyOf(droppedAtOpen);
    }

    /** Flushed entries a second of flushing. */
    public double flushEntriesPerSecond() {
        return flushNanos == 0 ? 0 : flushedEntries * 1e9 / flushNanos;
    }
}
