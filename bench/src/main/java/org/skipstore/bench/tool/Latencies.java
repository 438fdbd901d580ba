package org.skipstore.bench.tool;

import java.util.Arrays;
import java.util.Locale;

/**
 * The latencies of one thread's operations, every one kept (8 bytes an operation, allocated up
 * front, so recording allocates nothing), and their percentiles. Exact, not bucketed: the tails
 * the tool reports (p99.9, max) are a few thousand operations of millions, where a histogram's
 * buckets would blur the figure the goal is about (p99.9 under 1 ms).
 */
final class Latencies {

    /** Percentiles of a set of latencies, in nanoseconds. */
    record Summary(long count, long p50, long p99, long p999, long max) {

        /** The four percentiles in words, as the reports print them. */
        String describe() {
            return String.format(Locale.ROOT, "p50 %s, p99 %s, p99.9 %s, max %s", micros(p50), micros(p99),
                    micros(p999), micros(max));
        }

        /** A latency in microseconds, or in milliseconds from 10 ms on. */
        static String micros(long nanos) {
            return org.skipstore.bench.report.HtmlReport.micros(nanos);
        }
    }

    private final long[] nanos;
    private int count;

    Latencies(int capacity) {
        this.nanos = new long[capacity];
    }

    /** Records one operation's latency; past the capacity, nothing. */
    void add(long latencyNanos) {
        if (count < nanos.length) {
            nanos[count++] = latencyNanos;
        }
    }

    int count() {
        return count;
    }

    /** The summary of every recorded latency (sorts them: call once, after the measurement). */
    Summary summary() {
        return summarize(Arrays.copyOf(nanos, count));
    }

    /** The summary of the operations {@code [from, to)} in the order they were recorded: a window of a timeline. */
    Summary window(int from, int to) {
        return summarize(Arrays.copyOfRange(nanos, from, Math.min(to, count)));
    }

    /** The summary of the union of several threads' latencies. */
    static Summary merge(Latencies... parts) {
        int n = 0;
        for (Latencies p : parts) {
            n += p.count;
        }
        long[] all = new long[n];
        int at = 0;
        for (Latencies p : parts) {
            System.arraycopy(p.nanos, 0, all, at, p.count);
            at += p.count;
        }
        return summarize(all);
    }

    private static Summary summarize(long[] v) {
        if (v.length == 0) {
            return new Summary(0, 0, 0, 0, 0);
        }
        Arrays.sort(v);
        return new Summary(v.length, at(v, 0.50), at(v, 0.99), at(v, 0.999), v[v.length - 1]);
    }

    /** The nearest-rank percentile: the smallest value at or above a fraction {@code q} of them. */
    static long at(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
