package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The fault-injecting page file of the crash tests. It keeps two images: what the process sees
 * (the page cache: every store lands there at once) and what is durable (the disk: only what a
 * {@link #force()} covered, plus growth, which the real file forces). A simulated machine crash
 * ({@link #crash}) builds the disk image after the crash: for every page whose cached content
 * differs from the durable one, the kernel may have written it back whole, not at all, or torn
 * (a random subset of its 512-byte sectors), chosen at random. A process crash
 * ({@link #processCrashImage()}) keeps the page cache. Forces and growth can be made to fail.
 */
final class SimulatedPageFile implements PageFile {

    static final int SECTOR = 512;

    private final int pageSize;
    /** Automatic: the images stay readable after close, for the tests to reopen them. */
    private final Arena arena = Arena.ofAuto();
    private MemorySegment[] chunks = new MemorySegment[0];
    private byte[] durable;
    private long pageCount;
    private boolean closed;
    int forces;
    /** Forces left before one fails; negative: never. */
    int forcesUntilFailure = -1;
    /** Whether growth fails as on a full disk. */
    boolean diskFull;

    private SimulatedPageFile(int pageSize, byte[] image) {
        this.pageSize = pageSize;
        this.durable = image.clone();
        long pages = image.length / pageSize;
        map(pages);
        for (int k = 0; k < chunks.length; k++) {
            MemorySegment.copy(MemorySegment.ofArray(image), Chunks.start(k) * pageSize, chunks[k], 0, chunks[k].byteSize());
        }
    }

    /** A new, zeroed file of {@link Chunks#MIN_PAGES} pages. */
    static SimulatedPageFile fresh(int pageSize) {
        return new SimulatedPageFile(pageSize, new byte[(int) (Chunks.MIN_PAGES * pageSize)]);
    }

    /** A file whose disk (and so page cache, after a reboot) holds {@code image}. */
    static SimulatedPageFile of(byte[] image, int pageSize) {
        return new SimulatedPageFile(pageSize, image);
    }

    private void map(long pages) {
        int n = Chunks.count(pages);
        MemorySegment[] grown = Arrays.copyOf(chunks, n);
        for (int k = chunks.length; k < n; k++) {
            grown[k] = arena.allocate(Chunks.size(k) * pageSize, 8);
        }
        chunks = grown;
        pageCount = pages;
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public long pageCount() {
        return pageCount;
    }

    @Override
    public MemorySegment pages(long page, long count) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        return Chunks.slice(chunks, pageCount, Integer.numberOfTrailingZeros(pageSize), page, count);
    }

    @Override
    public void grow(long newPageCount) throws IOException {
        if (diskFull) {
            throw new IOException("No space left on device (simulated)");
        }
        map(newPageCount);
        durable = Arrays.copyOf(durable, (int) (newPageCount * pageSize));
    }

    @Override
    public void force() throws IOException {
        if (forcesUntilFailure == 0) {
            throw new IOException("Input/output error (simulated failed force)");
        }
        if (forcesUntilFailure > 0) {
            forcesUntilFailure--;
        }
        forces++;
        durable = processCrashImage();
    }

    /** The durable image: what the disk holds for sure. */
    byte[] durableImage() {
        return durable.clone();
    }

    /** The file as the page cache holds it: what survives a crash of the process alone. */
    byte[] processCrashImage() {
        byte[] image = new byte[(int) (pageCount * pageSize)];
        for (int k = 0; k < chunks.length; k++) {
            MemorySegment.copy(chunks[k], ValueLayout.JAVA_BYTE, 0, image, (int) (Chunks.start(k) * pageSize),
                    (int) chunks[k].byteSize());
        }
        return image;
    }

    /** The disk after a machine crash now: see the class comment. Counts the pages it tore. */
    byte[] crash(SplittableRandom random, int[] tornPages) {
        byte[] cache = processCrashImage();
        byte[] disk = durable.clone();
        for (int p = 0; p < pageCount; p++) {
            int from = p * pageSize;
            if (Arrays.equals(cache, from, from + pageSize, disk, from, from + pageSize)) {
                continue;
            }
            switch (random.nextInt(3)) {
                case 0 -> { } // never written back
                case 1 -> System.arraycopy(cache, from, disk, from, pageSize);
                default -> {
                    for (int s = 0; s < pageSize; s += SECTOR) {
                        if (random.nextBoolean()) {
                            System.arraycopy(cache, from + s, disk, from + s, SECTOR);
                        }
                    }
                    tornPages[0]++;
                }
            }
        }
        return disk;
    }

    @Override
    public void close() {
        closed = true;
    }
}
