package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The log's names, header and record framing ({@link LogFormat}, {@link LogRecords}). */
class LogFormatTest {

    @Test
    void segmentNamesRoundTripAndAnythingElseIsNotOne() {
        for (long s : new long[] {0, 1, 42, 1L << 40, Long.MAX_VALUE}) {
            String name = LogFormat.segmentName(s);
            assertThat(name).hasSize(28).startsWith("log-").endsWith(".wal");
            assertThat(LogFormat.parseSegmentName(name)).isEqualTo(s);
        }
        assertThat(LogFormat.segmentName(7)).isEqualTo("log-00000000000000000007.wal");
        for (String other : new String[] {"log-7.wal", "log-0000000000000000007.wal", "log-000000000000000000007.wal",
                "log-00000000000000000007.wal.dropped", "LOG-00000000000000000007.wal", "log-00000000000000000007.WAL",
                "log-+0000000000000000007.wal", "log--0000000000000000007.wal", "log-0000000000000000000x.wal",
                "log-99999999999999999999.wal", "log-09223372036854775808.wal", "xlog-0000000000000000007.wal", ""}) {
            assertThat(LogFormat.parseSegmentName(other)).as(other).isEqualTo(-1);
        }
        assertThatThrownBy(() -> LogFormat.segmentName(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHeaderIsSixtyFourBytesAndItsCrcCoversEveryOtherByte() {
        assertThat(LogFormat.HEADER_BYTES).isEqualTo(64);
        assertThat(LogFormat.RECORD_BYTES).isEqualTo(16);
        MemorySegment h = MemorySegment.ofArray(new byte[64]);
        LogFormat.writeHeader(h, 99, 1234, 5678);
        assertThat(h.get(LogFormat.MAGIC_BE, 0)).isEqualTo(LogFormat.MAGIC);
        assertThat(new String(h.asSlice(0, 7).toArray(ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("SKPSWAL");
        assertThat(LogFormat.version(h)).isEqualTo(1);
        assertThat(LogFormat.databaseId(h)).isEqualTo(99);
        assertThat(LogFormat.firstSequence(h)).isEqualTo(1234);
        assertThat(LogFormat.headerCrcMatches(h)).isTrue();
        for (int at = 0; at < 64; at++) {
            for (int bit = 0; bit < 8; bit++) {
                h.set(ValueLayout.JAVA_BYTE, at, (byte) (h.get(ValueLayout.JAVA_BYTE, at) ^ (1 << bit)));
                assertThat(LogFormat.headerCrcMatches(h)).as("byte %d bit %d flipped", at, bit).isFalse();
                h.set(ValueLayout.JAVA_BYTE, at, (byte) (h.get(ValueLayout.JAVA_BYTE, at) ^ (1 << bit)));
            }
        }
    }

    @Test
    void aGroupFramesEachRecordWithItsCrcAndGrowsPastItsFirstBuffer() {
        long seed = Logs.seed("aGroupFramesEachRecordWithItsCrcAndGrowsPastItsFirstBuffer");
        SplittableRandom r = new SplittableRandom(seed);
        LogRecords g = new LogRecords(16);
        for (int round = 0; round < 3; round++) {
            g.clear();
            assertThat(g.count()).isZero();
            assertThat(g.bytes()).isZero();
            long first = r.nextLong(1L << 50);
            int n = 1 + r.nextInt(50);
            long expectedBytes = 0;
            for (int k = 0; k < n; k++) {
                byte[] p = Logs.payload(first + k);
                if (k % 2 == 0) {
                    g.add(first + k, p, 0, p.length);
                } else {
                    g.add(first + k, MemorySegment.ofArray(p));
                }
                expectedBytes += 16 + p.length;
            }
            assertThat(g.count()).isEqualTo(n);
            assertThat(g.firstSequence()).isEqualTo(first);
            assertThat(g.lastSequence()).isEqualTo(first + n - 1);
            assertThat(g.bytes()).isEqualTo(expectedBytes).isEqualTo(g.buffer().remaining());
            MemorySegment framed = g.framed();
            long at = 0;
            for (int k = 0; k < n; k++) {
                long len = LogFormat.checkedRecordBytes(framed, at, framed.byteSize());
                assertThat(len).as("seed %d record %d", seed, k).isPositive();
                assertThat(LogFormat.recordSequence(framed, at)).isEqualTo(first + k);
                assertThat(framed.asSlice(at + 16, len - 16).toArray(ValueLayout.JAVA_BYTE))
                        .isEqualTo(Logs.payload(first + k));
                at += len;
            }
            assertThat(at).isEqualTo(framed.byteSize());
        }
    }

    @Test
    void aGroupTakesOnlyConsecutiveSequencesAndAPayloadInsideItsArray() {
        LogRecords g = new LogRecords();
        assertThatThrownBy(g::firstSequence).isInstanceOf(IllegalStateException.class);
        g.add(5, new byte[3], 0, 3);
        assertThatThrownBy(() -> g.add(7, new byte[3], 0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not follow 5");
        assertThatThrownBy(() -> g.add(5, new byte[3], 0, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.add(6, new byte[3], 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new LogRecords().add(-1, new byte[0], 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(g.count()).as("refused adds change nothing").isEqualTo(1);
        assertThat(g.bytes()).isEqualTo(19);
        g.clear();
        g.add(100, new byte[0], 0, 0);
        assertThat(g.firstSequence()).as("a cleared group starts anywhere").isEqualTo(100);
    }
}
