package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The fault-injecting page file of the crash tests. It keeps two images: what the process sees
 * (the page cache: every write lands there at once, and lengthens the file when it passes its
 * end) and what is durable (the disk: only what a {@link #force()} covered, the file's length
 * included). A simulated machine crash ({@link #crash}) builds the disk image after the crash:
 * the file's length is any between the durable and the cached one, and for every page inside it
 * whose cached content differs from the durable one, the kernel may have written it back whole,
 * not at all, or torn (a random subset of its 512-byte sectors), chosen at random. A process
 * crash ({@link #processCrashImage()}) keeps the page cache. Forces and growth can be made to
 * fail. A read of a page past the file's end throws, where a mapped file would fault: so every
 * test that runs on this file checks that the store never reads one.
 */
public final class SimulatedPageFile extends ChunkedPageFile {

    public static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(Pager.Point p) {
            super("simulated crash at " + p, null, false, false);
        }
    }

    /** A hook that crashes at its {@code left}-th call once armed, and counts the points it saw. */
    public static final class CrashAt implements Pager.Hook {
        public int left;
        public boolean armed;
        /** When set, only this point counts. */
        public Pager.Point only;
        public Pager.Point hit;

        @Override
        public void at(Pager.Point point) {
            if (armed && (only == null || only == point) && left-- == 0) {
                hit = point;
                throw new SimulatedCrash(point);
            }
        }
    }


    static final int SECTOR = 512;

    /** Automatic: the images stay readable after close, for the tests to reopen them. */
    private final Arena arena = Arena.ofAuto();
    private volatile byte[] durable;
    private boolean closed;
    int forces;
    /** Forces left before one fails; negative: never. */
    int forcesUntilFailure = -1;
    /** Whether growth fails as on a full disk. */
    boolean diskFull;
    /** Whether writes fail as on a full disk whose file grew sparsely. */
    boolean writesFail;

    @Override
    public void write(long page, MemorySegment src) throws IOException {
        if (writesFail) {
            throw new IOException("No space left on device");
        }
        super.write(page, src);
    }

    private SimulatedPageFile(int pageSize, byte[] image) {
        super(pageSize);
        long pages = image.length / pageSize;
        this.durable = Arrays.copyOf(image, (int) (pages * pageSize));
        long capacity = Chunks.MIN_PAGES;
        while (capacity < pages) {
            capacity = Chunks.next(capacity);
        }
        map(capacity);
        MemorySegment[] chunks = chunks();
        for (int k = 0; k < chunks.length && Chunks.start(k) < pages; k++) {
            long n = Math.min(Chunks.size(k), pages - Chunks.start(k));
            MemorySegment.copy(MemorySegment.ofArray(durable), Chunks.start(k) * pageSize, chunks[k], 0, n * pageSize);
        }
        lengthAtLeast(pages);
    }

    /** A new, empty file. */
    public static SimulatedPageFile fresh(int pageSize) {
        return new SimulatedPageFile(pageSize, new byte[0]);
    }

    /** A file whose disk (and so page cache, after a reboot) holds {@code image} (whole pages of it). */
    public static SimulatedPageFile of(byte[] image, int pageSize) {
        return new SimulatedPageFile(pageSize, image);
    }

    private void map(long pages) {
        try {
            extendTo(pages, (offset, bytes) -> arena.allocate(bytes, 8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public MemorySegment pages(long page, long count) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (page + count > length()) {
            throw pastEnd(page, count);
        }
        return super.pages(page, count);
    }

    @Override
    public MemorySegment block(long page, long pagesOffset, long statePages) {
        if (page >= length()) {
            throw pastEnd(page, 1);
        }
        MemorySegment b = super.block(page, pagesOffset, statePages);
        if (page + b.byteSize() / pageSize > length()) {
            throw pastEnd(page, b.byteSize() / pageSize);
        }
        return b;
    }

    private AssertionError pastEnd(long page, long count) {
        return new AssertionError("read of pages [" + page + ", " + (page + count) + ") past the end of a file of "
                + length() + " pages: a mapped file would fault");
    }

    @Override
    public synchronized void grow(long newPageCount) throws IOException {
        if (diskFull) {
            throw new IOException("No space left on device (simulated)");
        }
        map(newPageCount);
    }

    @Override
    public synchronized void force() throws IOException {
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
    synchronized byte[] durableImage() {
        return durable.clone();
    }

    /** The file as the page cache holds it: what survives a crash of the process alone. */
    public synchronized byte[] processCrashImage() {
        long pages = length();
        MemorySegment[] c = chunks();
        byte[] image = new byte[(int) (pages * pageSize)];
        for (int k = 0; k < c.length && Chunks.start(k) < pages; k++) {
            long n = Math.min(Chunks.size(k), pages - Chunks.start(k));
            MemorySegment.copy(c[k], ValueLayout.JAVA_BYTE, 0, image, (int) (Chunks.start(k) * pageSize),
                    (int) (n * pageSize));
        }
        return image;
    }

    /** The disk after a machine crash now: see the class comment. Counts the pages it tore. */
    public synchronized byte[] crash(SplittableRandom random, int[] tornPages) {
        byte[] cache = processCrashImage();
        int from = durable.length / pageSize;
        int to = cache.length / pageSize;
        int pages = to > from ? from + random.nextInt(to - from + 1) : to; // the length may or may not have landed
        byte[] disk = Arrays.copyOf(durable, pages * pageSize);
        for (int p = 0; p < pages; p++) {
            int at = p * pageSize;
            if (Arrays.equals(cache, at, at + pageSize, disk, at, at + pageSize)) {
                continue;
            }
            switch (random.nextInt(3)) {
                case 0 -> { } // never written back
                case 1 -> System.arraycopy(cache, at, disk, at, pageSize);
                default -> {
                    for (int s = 0; s < pageSize; s += SECTOR) {
                        if (random.nextBoolean()) {
                            System.arraycopy(cache, at + s, disk, at + s, SECTOR);
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
