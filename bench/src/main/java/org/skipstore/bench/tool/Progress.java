package org.skipstore.bench.tool;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A phase's progress: a bar on stderr while it runs (when enabled: phases longer than a second,
 * one volatile add per 4096 ops), and a line on stdout when it ends ({@link #line}), so that a
 * long run shows where it is also where stderr is no terminal.
 */
final class Progress {
    private final String label;
    private final long total;
    private final boolean enabled;
    private final AtomicLong done = new AtomicLong();
    private final long started = System.nanoTime();
    private volatile long lastDraw;

    Progress(String label, long total, boolean enabled) {
        this.label = label;
        this.total = Math.max(1, total);
        this.enabled = enabled;
    }

    /** Called after op {@code i} of one thread. */
    void report(long i) {
        if ((i & 4095) == 4095 && enabled) {
            long d = done.addAndGet(4096);
            long now = System.nanoTime();
            if (now - started > 1_000_000_000L && now - lastDraw > 200_000_000L) {
                lastDraw = now;
                draw(Math.min(d, total));
            }
        }
    }

    private void draw(long d) {
        int width = 30;
        int filled = (int) (width * d / total);
        System.err.printf(Locale.ROOT, "\r  %-28s [%s%s] %3d%%", label, "#".repeat(filled), ".".repeat(width - filled),
                100 * d / total);
    }

    void finish() {
        if (enabled && lastDraw != 0) {
            System.err.print("\r" + " ".repeat(74) + "\r");
        }
    }

    /** The line of a phase that ended: its name, engine, ops/s and time, and what else it tells. */
    static void line(String phase, String engine, long ops, long nanos, String more) {
        System.out.printf(Locale.ROOT, "  %-20s %-10s %,14.0f ops/s %8.2f s%s%n", phase, engine, ops * 1e9 / nanos,
                nanos / 1e9, more.isEmpty() ? "" : "   " + more);
        System.out.flush();
    }

    /** A line of something that is not a timed phase (a settle, a warm-up). */
    static void note(String text) {
        System.out.println("  " + text);
        System.out.flush();
    }
}
