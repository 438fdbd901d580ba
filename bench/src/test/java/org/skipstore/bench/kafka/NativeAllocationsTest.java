package org.skipstore.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The peak of FFM allocations read from NMT's summary, in both of the forms the JDK prints it. */
class NativeAllocationsTest {

    @Test
    void thePeakIsReadWhereverTheSummaryPutsIt() {
        String past = """
                -                     Class (reserved=1074048326KB, committed=1486KB)
                -                     Other (reserved=568KB, committed=568KB)
                                            (malloc=568KB tag=Other #7) (peak=31510KB #723)

                -                  Compiler (reserved=226KB, committed=226KB)
                                            (malloc=25KB tag=Compiler #165) (peak=90KB #186)
                """;
        assertEquals(31510L * 1024, NativeAllocations.parse(past));
        String now = """
                -                     Other (reserved=20514KB, committed=20514KB)
                                            (malloc=20514KB tag=Other #3) (at peak)
                """;
        assertEquals(20514L * 1024, NativeAllocations.parse(now));
        assertEquals(-1, NativeAllocations.parse("Native memory tracking is not enabled"));
    }
}
