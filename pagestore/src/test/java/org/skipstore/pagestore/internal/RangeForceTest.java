package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PageFile#force(long, long)}: what each file makes durable, and the range it accepts. */
class RangeForceTest {

    static final int PAGE = 4096;

    @TempDir
    Path dir;

    private static MemorySegment pattern(int pages, long seed) {
        byte[] b = new byte[pages * PAGE];
        new SplittableRandom(seed).nextBytes(b);
        return MemorySegment.ofArray(b);
    }

    private static byte[] bytes(byte[] image, long page, int pages) {
        return Arrays.copyOfRange(image, (int) (page * PAGE), (int) ((page + pages) * PAGE));
    }

    /**
     * Reads the device's count of sectors written ({@code /proc/diskstats}), for the file system
     * that holds {@code dir}; skips the test where there is none (not Linux, or a file system
     * without a block device, whose msync writes nothing anywhere).
     */
    private static long sectorsWritten(Path dir) throws IOException {
        Path stats = Path.of("/proc/diskstats");
        String device = Path.of(Files.getFileStore(dir).name()).getFileName().toString();
        Assumptions.assumeTrue(Files.isReadable(stats), "no /proc/diskstats");
        for (String line : Files.readAllLines(stats)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[2].equals(device)) {
                return Long.parseLong(f[9]);
            }
        }
        Assumptions.abort("no disk statistics for " + device);
        return 0;
    }

    @Test
    void aMappedFileWritesTheRangeToItsDiskAcrossChunks() throws IOException {
        Path path = dir.resolve("pages.bin");
        try (MappedPageFile file = MappedPageFile.open(path, MappedPageFile.channel(path, true), null, PAGE, 4096)) {
            long from = 1024; // chunk 7 is [1024, 2048), chunk 8 [2048, 4096): the range crosses them
            int pages = 2048; // 8 MiB, far above what the rest of the machine writes meanwhile
            long before = sectorsWritten(dir);
            file.write(from, pattern(pages, 3));
            file.force(from, pages);
            long written = sectorsWritten(dir) - before;
            assertThat(written * 512).as("bytes the device wrote").isGreaterThanOrEqualTo((long) pages * PAGE);
            assertThat(file.pages(from, 1).mismatch(pattern(1, 3))).isEqualTo(-1);
        }
    }

    @Test
    void aSimulatedFileMakesExactlyTheRangeDurable() throws IOException {
        SimulatedPageFile file = SimulatedPageFile.fresh(PAGE);
        file.grow(Chunks.next(Chunks.MIN_PAGES)); // 32 pages: [14, 18) crosses chunks 0 and 1
        MemorySegment run = pattern(4, 1);
        file.write(14, run.asSlice(0, 2 * PAGE)); // a write stays in its chunk; the force below does not
        file.write(16, run.asSlice(2 * PAGE));
        file.write(5, pattern(1, 2));
        file.force(14, 4);
        assertThat(file.forces).isEqualTo(1);
        byte[] durable = file.durableImage();
        assertThat(bytes(durable, 14, 4)).isEqualTo(run.toArray(ValueLayout.JAVA_BYTE));
        assertThat(bytes(durable, 5, 1)).isEqualTo(new byte[PAGE]);
        boolean lostPage5 = false;
        for (int seed = 0; seed < 20; seed++) {
            byte[] disk = file.crash(new SplittableRandom(seed), new int[1]);
            assertThat(bytes(disk, 14, 4)).isEqualTo(bytes(durable, 14, 4));
            lostPage5 |= !Arrays.equals(bytes(disk, 5, 1), pattern(1, 2).toArray(ValueLayout.JAVA_BYTE));
        }
        assertThat(lostPage5).as("a crash can still lose the page outside the range").isTrue();
    }

    @Test
    void aFailedRangeForceMakesNothingDurable() throws IOException {
        SimulatedPageFile file = SimulatedPageFile.fresh(PAGE);
        file.write(3, pattern(1, 4));
        file.forcesUntilFailure = 0;
        assertThatThrownBy(() -> file.force(3, 1)).isInstanceOf(IOException.class);
        assertThat(bytes(file.durableImage(), 3, 1)).isEqualTo(new byte[PAGE]);
    }

    @Test
    void everyFileRefusesARangeOutsideItAndForcesAnEmptyOne() throws IOException {
        Path path = dir.resolve("bounds.bin");
        MappedPageFile mapped = MappedPageFile.open(path, MappedPageFile.channel(path, true), null, PAGE, 16);
        for (PageFile file : List.of(mapped, new MemoryPageFile(PAGE), SimulatedPageFile.fresh(PAGE))) {
            file.force(16, 0);
            file.force(0, 16);
            assertThatThrownBy(() -> file.force(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> file.force(15, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> file.force(0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        mapped.close();
        assertThatThrownBy(() -> mapped.force(0, 1)).isInstanceOf(IllegalStateException.class);
    }
}
