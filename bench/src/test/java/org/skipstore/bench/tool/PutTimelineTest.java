package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.skipstore.bench.report.ReportData;

/** A timeline's windows: whole batches each, every put in one, in time order. */
class PutTimelineTest {

    @Test
    void windowsHoldWholeBatchesAndEveryPutOnce() {
        ReportData.Timeline t;
        long before;
        long after;
        try (PutTimeline timeline = new PutTimeline(10_500, 1000, null)) {
            before = System.nanoTime();
            timeline.start();
            for (int i = 0; i < 10_500; i++) {
                timeline.end(timeline.begin(i));
            }
            after = System.nanoTime();
            t = timeline.timeline("e", "puts");
        }
        // 10,500 puts in about 300 windows would be 35 a window: rounded up to a batch of 1000
        assertEquals(11, t.points().size());
        assertEquals(10_500, t.points().stream().mapToLong(ReportData.Point::count).sum());
        assertEquals(500, t.points().getLast().count());
        // each point at its window's middle: after the start, inside the puts' time, later than the one before
        assertTrue(t.points().getFirst().seconds() > 0);
        assertTrue(t.points().getLast().seconds() < (after - before) / 1e9);
        for (int w = 1; w < t.points().size(); w++) {
            assertTrue(t.points().get(w).seconds() > t.points().get(w - 1).seconds());
        }
        assertEquals("puts, 1,000 puts a window", t.title());
        assertTrue(t.marks().isEmpty());
    }

    @Test
    void aBatchLargerThanTheFillLeavesTheWindowsAsSmallAsTheChartWants() {
        try (PutTimeline timeline = new PutTimeline(3000, 1_000_000, null)) {
            timeline.start();
            for (int i = 0; i < 3000; i++) {
                timeline.end(timeline.begin(i));
            }
            assertEquals(PutTimeline.WINDOWS, timeline.timeline("e", "puts").points().size());
        }
    }
}
