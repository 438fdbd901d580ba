package org.skipstore.bench.tool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jdk.jfr.consumer.RecordingStream;
import org.skipstore.bench.report.ReportData;

/**
 * One thread's puts timed one by one, in order, as a report's latency timeline: every put's
 * latency ({@link Latencies}), the start of each of about {@value #WINDOWS} windows of puts, and, for
 * Skipstore's engine, its flushes and stalls from its JFR events ({@code org.skipstore.Flush},
 * {@code org.skipstore.WriteStall}), from a JFR stream of the caller's. Recording a put
 * is two clock reads (about 25 ns each here) and a store into an array allocated up front;
 * {@link #close} lets both go, so that a heap measured after it does not count them.
 */
final class PutTimeline implements AutoCloseable {

    static final String FLUSH_EVENT = "org.skipstore.Flush";
    static final String STALL_EVENT = "org.skipstore.WriteStall";
    /** Windows of a timeline: enough points for a chart's width, few enough to read. */
    static final int WINDOWS = 300;

    private Latencies latencies;
    private final int window;
    private final long[] windowStarts;
    private final List<ReportData.Mark> marks = new ArrayList<>();
    private volatile Instant wallStart = Instant.now();
    private long start;
    /** When the last put ended: the last window's end. */
    private long lastEnd;

    /**
     * For {@code puts} puts, in windows of a multiple of {@code batch} puts (so that each holds
     * as many durable commits as the next, and its max is not one window's commit and the next
     * one's put); {@code events}, when not null and not yet started: a stream of the caller's
     * (which it starts, stops before {@link #timeline} and closes) that gets Skipstore's flush
     * and stall events for the timeline's bands.
     */
    PutTimeline(int puts, int batch, RecordingStream events) {
        latencies = new Latencies(puts);
        int perWindow = Math.max(1, (puts + WINDOWS - 1) / WINDOWS);
        window = batch >= puts ? perWindow : (perWindow + batch - 1) / batch * batch;
        windowStarts = new long[(puts + window - 1) / window];
        if (events != null) {
            for (String event : List.of(FLUSH_EVENT, STALL_EVENT)) {
                events.enable(event);
                events.onEvent(event, e -> {
                    ReportData.Mark m = new ReportData.Mark(event.equals(FLUSH_EVENT) ? "flush" : "stall",
                            Duration.between(wallStart, e.getStartTime()).toNanos() / 1e9, e.getDuration().toNanos() / 1e9);
                    synchronized (marks) {
                        marks.add(m);
                    }
                });
            }
        }
    }

    /** The puts begin: times count from here. */
    void start() {
        wallStart = Instant.now();
        start = System.nanoTime();
    }

    /** Before put {@code i}: the clock, to pass to {@link #end}. */
    long begin(int i) {
        long now = System.nanoTime();
        if (i % window == 0) {
            windowStarts[i / window] = now - start;
        }
        return now;
    }

    /** After the put that {@link #begin} returned {@code t0} for; returns its latency. */
    long end(long t0) {
        long now = System.nanoTime();
        lastEnd = now;
        long t = now - t0;
        latencies.add(t);
        return t;
    }

    Latencies latencies() {
        return latencies;
    }

    /**
     * The timeline: each window's percentiles at its middle (a spike shows where the band that
     * caused it is, not a window before), and the flushes and stalls that began
     * after the puts did (a flush that ends after them still shows: the engine's work they left).
     * The caller stops its event stream first, so that every event is in.
     */
    ReportData.Timeline timeline(String engine, String title) {
        long end = lastEnd - start;
        List<ReportData.Point> points = new ArrayList<>();
        int windows = (latencies.count() + window - 1) / window;
        for (int w = 0; w < windows; w++) {
            Latencies.Summary s = latencies.window(w * window, (w + 1) * window);
            long next = w + 1 < windows ? windowStarts[w + 1] : end;
            points.add(new ReportData.Point((windowStarts[w] + next) / 2e9, s.count(), s.p50(), s.p99(), s.max()));
        }
        List<ReportData.Mark> during;
        synchronized (marks) {
            during = marks.stream().filter(m -> m.startSeconds() >= 0)
                    .sorted(Comparator.comparingDouble(ReportData.Mark::startSeconds)).toList();
        }
        return new ReportData.Timeline(engine, title + String.format(java.util.Locale.ROOT, ", %,d puts a window", window),
                points, during);
    }

    @Override
    public void close() {
        latencies = null; // 8 bytes a put: not part of the heap a fill leaves
    }
}
