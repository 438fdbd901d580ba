package org.skipstore.bench.tool;

import org.skipstore.bench.report.ReportData;

/**
 * One measured phase of one engine.
 *
 * @param threads   the phase's thread count where it has rows per count (mixed, group), else 0
 * @param sizeBytes after a fill, the memory or files of the structure; -1 when not measured
 * @param latency   the operations' latencies where the phase records them (commit, group, sustained), else null
 * @param floor     the commit phase's floor, measured beside it (one 4 KiB write plus fdatasync), else null
 * @param timeline  the phase's put latency over time where it timed each put (the stores' random fill), else null
 * @param footprint after a fill, its bytes per entry in memory and files, else null
 */
record Result(String benchmark, int threads, String engine, long ops, long nanos, long sizeBytes,
              Latencies.Summary latency, Latencies.Summary floor, ReportData.Timeline timeline,
              ReportData.SizeRow footprint) {

    Result(String benchmark, String engine, long ops, long nanos) {
        this(benchmark, 0, engine, ops, nanos, -1, null, null, null, null);
    }

    /** The phase's name in the table: with its thread count where it has one. */
    String label() {
        return threads == 0 ? benchmark : benchmark + " " + threads + "t";
    }

    Result withThreads(int t) {
        return new Result(benchmark, t, engine, ops, nanos, sizeBytes, latency, floor, timeline, footprint);
    }

    Result withSize(long bytes) {
        return new Result(benchmark, threads, engine, ops, nanos, bytes, latency, floor, timeline, footprint);
    }

    Result withLatency(Latencies.Summary l, Latencies.Summary f) {
        return new Result(benchmark, threads, engine, ops, nanos, sizeBytes, l, f, timeline, footprint);
    }

    Result withTimeline(ReportData.Timeline t) {
        return new Result(benchmark, threads, engine, ops, nanos, sizeBytes, latency, floor, t, footprint);
    }

    Result withFootprint(ReportData.SizeRow f) {
        return new Result(benchmark, threads, engine, ops, nanos, sizeBytes, latency, floor, timeline, f);
    }

    double opsPerSecond() {
        return ops * 1e9 / nanos;
    }

    double nanosPerOp() {
        return (double) nanos / ops;
    }
}
