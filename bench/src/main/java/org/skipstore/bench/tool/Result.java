package org.skipstore.bench.tool;

/**
 * One measured phase of one engine.
 *
 * @param threads   the phase's thread count where it has rows per count (mixed, group), else 0
 * @param sizeBytes after a fill, the memory or files of the structure; -1 when not measured
 * @param latency   the operations' latencies where the phase records them (commit, group, sustained), else null
 * @param floor     the commit phase's floor, measured beside it (one 4 KiB write plus fdatasync), else null
 */
record Result(String benchmark, int threads, String engine, long ops, long nanos, long sizeBytes,
              Latencies.Summary latency, Latencies.Summary floor) {

    Result(String benchmark, String engine, long ops, long nanos) {
        this(benchmark, 0, engine, ops, nanos, -1, null, null);
    }

    /** The phase's name in the table: with its thread count where it has one. */
    String label() {
        return threads == 0 ? benchmark : benchmark + " " + threads + "t";
    }

    Result withThreads(int t) {
        return new Result(benchmark, t, engine, ops, nanos, sizeBytes, latency, floor);
    }

    Result withSize(long bytes) {
        return new Result(benchmark, threads, engine, ops, nanos, bytes, latency, floor);
    }

    Result withLatency(Latencies.Summary l, Latencies.Summary f) {
        return new Result(benchmark, threads, engine, ops, nanos, sizeBytes, l, f);
    }

    double opsPerSecond() {
        return ops * 1e9 / nanos;
    }

    double nanosPerOp() {
        return (double) nanos / ops;
    }
}
