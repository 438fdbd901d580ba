package org.skipstore.bench.tool;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A phase's progress while it runs, and its line when it ends ({@link #line}).
 *
 * <p>On a terminal ({@link Mode#BAR}) a bar on stderr, redrawn in place at most every 200 ms from a
 * phase's second second on: how far, how many entries, how fast, how long still. Where there is no
 * terminal (CI logs, {@code | tee}) a redrawn bar would be noise, and without it nothing showed
 * until a phase ended: there a plain line on stdout every 5 s of a phase instead (none for a phase
 * under 5 s), so that a log shows where a long run is, and never floods.
 *
 * <p>{@link #report} runs in the ops' loops of several threads: one atomic add per 4096 ops, the
 * clock read only then, and a compare-and-set so that one thread alone draws or prints.
 */
final class Progress {

    /** How a phase shows its progress: {@code --progress}, {@code --no-progress}, or by default as the output is. */
    enum Mode {
        /** A bar on stderr, redrawn in place: a terminal. */
        BAR,
        /** A line on stdout every 5 s: a log. */
        LINES,
        /** Nothing ({@code --no-progress}, a warm-up). */
        NONE
    }

    private static final long SECOND = 1_000_000_000L;
    /** How often a line is printed where there is no terminal. */
    static final long LINE_EVERY = 5 * SECOND;
    private static final long DRAW_EVERY = SECOND / 5;
    private static final int WIDTH = 20;

    private final String label;
    private final long total;
    private final Mode mode;
    private final LongSupplier clock;
    private final PrintStream bar;
    private final PrintStream lines;
    private final long started;
    private final AtomicLong done = new AtomicLong();
    /** The time of the last draw of the bar; {@code started} before the first. */
    private final AtomicLong lastDraw;
    /** The last 5-s step of the phase that printed its line; 0 before the first. */
    private final AtomicLong lastStep = new AtomicLong();
    /** The width of the bar drawn, which the next draw and {@link #finish} overwrite; 0 if none. */
    private volatile int drawn;

    Progress(String label, long total, Mode mode) {
        this(label, total, mode, System::nanoTime, System.err, System.out);
    }

    /** The progress of a warm-up: counted, never shown. */
    static Progress quiet(String label, long total) {
        return new Progress(label, total, Mode.NONE);
    }

    /** With the clock ({@link System#nanoTime} units) and the streams of the bar and of the lines. */
    Progress(String label, long total, Mode mode, LongSupplier clock, PrintStream bar, PrintStream lines) {
        this.label = label;
        this.total = Math.max(1, total);
        this.mode = mode;
        this.clock = clock;
        this.bar = bar;
        this.lines = lines;
        this.started = clock.getAsLong();
        this.lastDraw = new AtomicLong(started);
    }

    /** Called after op {@code i} of one thread. */
    void report(long i) {
        if ((i & 4095) != 4095) {
            return;
        }
        long d = Math.min(done.addAndGet(4096), total);
        long now = clock.getAsLong();
        long elapsed = now - started;
        if (mode == Mode.BAR) {
            long last = lastDraw.get();
            if (elapsed > SECOND && now - last > DRAW_EVERY && lastDraw.compareAndSet(last, now)) {
                draw(d, elapsed);
            }
        } else if (mode == Mode.LINES) {
            long step = elapsed / LINE_EVERY;
            long last = lastStep.get();
            // The thread that moves lastStep on prints the step's line; the others lost the race to it.
            if (step > last && lastStep.compareAndSet(last, step)) {
                lines.printf(Locale.ROOT, "  .. %-28s %,11d of %,d (%d%%), %,.0f ops/s, %s left%n", label, d, total,
                        100 * d / total, rate(d, elapsed), left(d, elapsed));
                lines.flush();
            }
        }
    }

    private void draw(long d, long elapsed) {
        int filled = (int) (WIDTH * d / total);
        String s = String.format(Locale.ROOT, "  %-28s [%s%s] %3d%%  %,d/%,d  %,.0f/s  %s left", label,
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * d / total, d, total, rate(d, elapsed),
                left(d, elapsed));
        // Pad to the last draw's width: a shorter line (fewer digits left) must not keep its tail.
        int width = Math.max(drawn, s.length());
        drawn = width;
        bar.print("\r" + s + " ".repeat(width - s.length()));
        bar.flush();
    }

    private static double rate(long done, long elapsed) {
        return done * 1e9 / Math.max(1, elapsed);
    }

    /** (total - done) / rate, to the second: "7 s", or "2:11" from a minute on. */
    private String left(long d, long elapsed) {
        long s = Math.round((total - d) / rate(d, elapsed));
        return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    void finish() {
        int width = drawn;
        if (width > 0) {
            bar.print("\r" + " ".repeat(width) + "\r");
            bar.flush();
            drawn = 0;
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
