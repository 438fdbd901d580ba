package org.skipstore.bench.jmh;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which force makes a commit durable cheapest (issue 14): the whole-file {@code FileChannel.force(false)}
 * (fdatasync) against {@code MemorySegment.force()} on slices of the mapping (msync(MS_SYNC) of
 * those ranges), on a 64 MiB file of 1 KiB pages mapped and written as {@code MappedPageFile}
 * does: one shared read-only mapping, every write a {@code FileChannel.write} (pwrite), the file
 * fully allocated first, as a store's file is once its pages have been written once.
 * <ul>
 *   <li>{@code channelForce} / {@code rangeForce} / {@code spanForce}: write {@code pages} pages,
 *       either one block of that many pages at a random aligned position ({@code run}) or that many
 *       single pages at random positions ({@code scattered}), then fdatasync, or one msync per
 *       contiguous run of written pages, or one msync from the first written page to the last.
 *       Timed: the writes and the force.</li>
 *   <li>{@code backlogChannelForce} / {@code backlogRangeForce}: a commit after many unforced ones:
 *       1000 single-page writes at random positions are made before each call (untimed, in the
 *       invocation's setup), then a 1-page commit is written and forced. Timed: the commit's
 *       write and force only. fdatasync writes the backlog back too; msync leaves it dirty, which a
 *       commit may do only when no backlog page is reachable from the state it commits.</li>
 *   <li>{@code metaChannelForce} / {@code metaRangeForce}: the meta page: one page written to
 *       page 0 or 1 (alternating) and forced.</li>
 *   <li>{@code cleanChannelForce} / {@code cleanRangeForce}: a force with nothing dirty: the
 *       barrier alone (on ext4 both still send the disk a cache flush).</li>
 * </ul>
 * Mode {@code SampleTime}, as {@link CommitBenchmark}: the score is the mean, percentiles follow.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForceBenchmark {

    static final int PAGE = 1024;
    static final long FILE_BYTES = 64L << 20;
    static final long FILE_PAGES = FILE_BYTES / PAGE;
    /** Pages 0 and 1 are the meta slots: data writes stay off them. */
    static final long FIRST_DATA_PAGE = 2;
    static final int BACKLOG = 1000;

    /** A store-like file: allocated, mapped read-only, written through the channel. */
    public abstract static class MappedFile {
        Path dir;
        FileChannel channel;
        Arena arena;
        MemorySegment map;
        ByteBuffer buffer;
        final SplittableRandom random = new SplittableRandom(14);
        long counter;

        void open(int bufferPages) throws IOException {
            dir = CommitBenchmark.tempDir("force");
            channel = FileChannel.open(dir.resolve("pages.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) { // allocated, so no write allocates blocks
                zeros.clear();
                channel.write(zeros, at);
            }
            channel.force(true);
            arena = Arena.ofShared();
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, FILE_BYTES, arena);
            buffer = ByteBuffer.allocateDirect(bufferPages * PAGE);
        }

        /** Writes {@code pages} pages from {@code page} through the channel, each stamped with a counter. */
        void write(long page, int pages) throws IOException {
            buffer.clear().limit(pages * PAGE);
            for (int i = 0; i < pages; i++) {
                buffer.putLong(i * PAGE, ++counter);
            }
            long at = page * PAGE;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
        }

        long randomDataPage() {
            return random.nextLong(FIRST_DATA_PAGE, FILE_PAGES);
        }

        /** msync(MS_SYNC) of pages {@code [page, page + pages)}. */
        void msync(long page, long pages) {
            map.asSlice(page * PAGE, pages * PAGE).force();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            arena.close();
            channel.close();
            CommitBenchmark.delete(dir);
        }
    }

    /** A commit's writes: {@code pages} pages as one block or scattered. */
    @State(Scope.Thread)
    public static class Commit extends MappedFile {
        @Param({"1", "64"})
        int pages;

        @Param({"run", "scattered"})
        String layout;

        /** The written pages, sorted: the commit's ranges are their contiguous runs. */
        long[] written;

        @Setup(Level.Trial)
        public void open() throws IOException {
            open(pages);
            written = new long[pages];
        }

        void writeCommit() throws IOException {
            if (layout.equals("run")) {
                long lowest = (FIRST_DATA_PAGE + pages - 1) / pages; // the first aligned block clear of the metas
                long first = random.nextLong(lowest, FILE_PAGES / pages) * pages;
                write(first, pages);
                for (int i = 0; i < pages; i++) {
                    written[i] = first + i;
                }
            } else {
                for (int i = 0; i < pages; i++) {
                    long p = randomDataPage();
                    write(p, 1);
                    written[i] = p;
                }
                Arrays.sort(written);
            }
        }

        /** One msync per contiguous run of written pages (a page written twice counts once). */
        void forceRuns() {
            int i = 0;
            while (i < written.length) {
                long start = written[i];
                long end = start + 1;
                i++;
                while (i < written.length && written[i] <= end) {
                    end = Math.max(end, written[i] + 1);
                    i++;
                }
                msync(start, end - start);
            }
        }
    }

    @Benchmark
    public long channelForce(Commit c) throws IOException {
        c.writeCommit();
        c.channel.force(false);
        return c.counter;
    }

    @Benchmark
    public long rangeForce(Commit c) throws IOException {
        c.writeCommit();
        c.forceRuns();
        return c.counter;
    }

    @Benchmark
    public long spanForce(Commit c) throws IOException {
        c.writeCommit();
        long first = c.written[0];
        c.msync(first, c.written[c.written.length - 1] + 1 - first);
        return c.counter;
    }

    /** A file with {@link #BACKLOG} unforced single-page writes made before every call. */
    @State(Scope.Thread)
    public static class Backlog extends MappedFile {
        @Setup(Level.Trial)
        public void open() throws IOException {
            open(1);
        }

        @Setup(Level.Invocation)
        public void unforcedWrites() throws IOException {
            for (int i = 0; i < BACKLOG; i++) {
                write(randomDataPage(), 1);
            }
        }
    }

    @Benchmark
    public long backlogChannelForce(Backlog b) throws IOException {
        b.write(b.randomDataPage(), 1);
        b.channel.force(false);
        return b.counter;
    }

    @Benchmark
    public long backlogRangeForce(Backlog b) throws IOException {
        long page = b.randomDataPage();
        b.write(page, 1);
        b.msync(page, 1);
        return b.counter;
    }

    /** The meta slots, written in turn; also the clean forces, which write nothing. */
    @State(Scope.Thread)
    public static class MetaSlots extends MappedFile {
        @Setup(Level.Trial)
        public void open() throws IOException {
            open(1);
        }
    }

    @Benchmark
    public long metaChannelForce(MetaSlots m) throws IOException {
        m.write(m.counter & 1, 1);
        m.channel.force(false);
        return m.counter;
    }

    @Benchmark
    public long metaRangeForce(MetaSlots m) throws IOException {
        long slot = m.counter & 1;
        m.write(slot, 1);
        m.msync(slot, 1);
        return m.counter;
    }

    @Benchmark
    public long cleanChannelForce(MetaSlots m) throws IOException {
        m.channel.force(false);
        return m.counter;
    }

    @Benchmark
    public long cleanRangeForce(MetaSlots m) {
        m.msync(FIRST_DATA_PAGE, 1);
        return m.counter;
    }
}
