package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** Where a phase's progress shows, how often, and what its numbers say, on a fake clock. */
class ProgressTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    private final ByteArrayOutputStream bar = new ByteArrayOutputStream();
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong();

    private Progress progress(long total, boolean terminal, LongSupplier clock) {
        return new Progress("fillrandom skipstore", total, terminal ? Progress.Mode.BAR : Progress.Mode.LINES, clock,
                new PrintStream(bar, true, StandardCharsets.UTF_8), new PrintStream(lines, true, StandardCharsets.UTF_8));
    }

    /** Reports ops up to the end of 4096-op block {@code to}, from block {@code from} on, as one thread does. */
    private static void blocks(Progress p, int from, int to) {
        for (long i = (long) from * 4096; i < (long) to * 4096; i++) {
            p.report(i);
        }
    }

    private List<String> lines() {
        String s = lines.toString(StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }

    @Test
    void withoutATerminalALineEveryFiveSecondsAndNoneBefore() {
        Progress p = progress(1_000_000_000L, false, now::get);
        for (int b = 0; b < 50; b++) {
            now.set(b * 100 * MS);
            blocks(p, b, b + 1);
        }
        now.set(5 * S - 1);
        blocks(p, 50, 60);
        assertEquals(List.of(), lines(), "nothing before 5 s");
        now.set(5 * S);
        blocks(p, 60, 100);
        assertEquals(1, lines().size(), "one line at 5 s, however many reports");
        now.set(9 * S);
        blocks(p, 100, 200);
        assertEquals(1, lines().size(), "still one line before 10 s");
        now.set(10 * S);
        blocks(p, 200, 300);
        now.set(14 * S);
        blocks(p, 300, 400);
        assertEquals(2, lines().size(), "a second line at 10 s");
        now.set(22 * S);
        blocks(p, 400, 401);
        assertEquals(3, lines().size(), "one line for a report 12 s later, not one for each step it skipped");
        p.finish();
        assertEquals("", bar.toString(StandardCharsets.UTF_8), "nothing on the bar's stream");
    }

    @Test
    void theLineTellsDoneTotalPercentRateAndTimeLeft() {
        Progress p = progress(1_000_000, false, now::get);
        blocks(p, 0, 89);
        now.set(5 * S);
        blocks(p, 89, 90);
        // 368,640 of 1,000,000 in 5 s: 73,728 ops/s, 631,360 left in 8.56 s
        assertEquals(List.of("  .. fillrandom skipstore             368,640 of 1,000,000 (36%), 73,728 ops/s, 9 s left"),
                lines());

        lines.reset();
        p = progress(10_000_000, false, now::get); // from 5 s on
        blocks(p, 0, 89);
        now.set(10 * S);
        blocks(p, 89, 90);
        // 9,631,360 left at 73,728 ops/s: 130.6 s
        assertTrue(lines().getFirst().endsWith("368,640 of 10,000,000 (3%), 73,728 ops/s, 2:11 left"), lines().toString());
    }

    @Test
    void onATerminalTheBarAloneFromTheSecondSecond() {
        Progress p = progress(1_000_000, true, now::get);
        now.set(900 * MS);
        blocks(p, 0, 10);
        now.set(S);
        blocks(p, 10, 89);
        assertEquals("", bar.toString(StandardCharsets.UTF_8), "no bar in the first second");
        now.set(2 * S);
        blocks(p, 89, 90);
        String drawn = bar.toString(StandardCharsets.UTF_8);
        // 368,640 of 1,000,000 in 2 s: 184,320 ops/s, 631,360 left in 3.4 s
        assertEquals("\r  fillrandom skipstore         [#######.............]  36%  368,640/1,000,000  184,320/s  3 s left",
                drawn);
        now.set(20 * S);
        blocks(p, 90, 200);
        p.finish();
        String all = bar.toString(StandardCharsets.UTF_8);
        assertEquals(4, all.chars().filter(c -> c == '\r').count(), "one draw at 2 s, one at 20 s, the clearing");
        assertTrue(all.endsWith(" ".repeat(drawn.length() - 1) + "\r"), "finish clears the bar");
        assertEquals(List.of(), lines(), "no line on the lines' stream on a terminal, even after 20 s");
    }

    @Test
    void threadsReportingTogetherPrintOneLineAStep() throws Exception {
        int threads = 4;
        int reports = 1_000_000;
        LongSupplier clock = () -> now.addAndGet(50 * MS); // 50 ms a read: about 100 reads a step
        Progress p = progress((long) threads * reports, false, clock);
        long started = now.get();
        CyclicBarrier gate = new CyclicBarrier(threads);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            all.add(Thread.ofPlatform().start(() -> {
                try {
                    gate.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < reports; i++) {
                    p.report(i);
                }
            }));
        }
        for (Thread t : all) {
            t.join();
        }
        long steps = (now.get() - started) / Progress.LINE_EVERY;
        assertEquals(9, steps, "4 x 244 reads of 50 ms");
        List<String> printed = lines();
        assertTrue(printed.size() <= steps, "two lines for a step: " + printed.size() + " lines in " + steps + " steps\n"
                + String.join("\n", printed));
        assertTrue(printed.size() >= steps - 1, printed.size() + " lines in " + steps + " steps");
    }

    @Test
    void noProgressPrintsNothingAnywhere() {
        Progress p = new Progress("fillrandom skipstore", 10_000_000, Progress.Mode.NONE, now::get,
                new PrintStream(bar, true, StandardCharsets.UTF_8), new PrintStream(lines, true, StandardCharsets.UTF_8));
        for (long i = 0; i < 10_000_000; i++) {
            now.addAndGet(10_000); // 100 s in all
            p.report(i);
        }
        p.finish();
        assertEquals(0, bar.size() + lines.size());
    }
}
