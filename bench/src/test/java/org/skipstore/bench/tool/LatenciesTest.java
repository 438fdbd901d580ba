package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The percentiles the tool reports: nearest rank, over every recorded operation. */
class LatenciesTest {

    @Test
    void percentilesAreNearestRanks() {
        Latencies l = new Latencies(1000);
        for (int i = 1000; i >= 1; i--) { // in no particular order
            l.add(i);
        }
        Latencies.Summary s = l.summary();
        assertEquals(1000, s.count());
        assertEquals(500, s.p50());
        assertEquals(990, s.p99());
        assertEquals(999, s.p999());
        assertEquals(1000, s.max());
    }

    /** p99.9 of 2000 operations: the 1998th fastest, so two slow ones (a tenth of a percent) do not show in it, three do. */
    @Test
    void theP999ShowsASlowTailOnlyWhenItIsMoreThanATenthOfAPercent() {
        assertEquals(10, withSlow(2).p999());
        assertEquals(5000, withSlow(3).p999());
        assertEquals(10, withSlow(3).p99());
        assertEquals(5000 + 2, withSlow(3).max());
    }

    private static Latencies.Summary withSlow(int slow) {
        Latencies l = new Latencies(2000);
        for (int i = 0; i < 2000 - slow; i++) {
            l.add(10);
        }
        for (int i = 0; i < slow; i++) {
            l.add(5000 + i);
        }
        return l.summary();
    }

    @Test
    void mergeSummarizesTheUnionOfThreads() {
        Latencies a = new Latencies(10);
        Latencies b = new Latencies(10);
        for (int i = 1; i <= 5; i++) {
            a.add(i);
            b.add(100 + i);
        }
        Latencies.Summary s = Latencies.merge(a, b);
        assertEquals(10, s.count());
        assertEquals(5, s.p50());
        assertEquals(105, s.max());
    }

    @Test
    void pastTheCapacityNothingIsRecorded() {
        Latencies l = new Latencies(2);
        l.add(1);
        l.add(2);
        l.add(3);
        assertEquals(2, l.count());
        assertEquals(2, l.summary().max());
    }
}
