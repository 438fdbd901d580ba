package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The fault-injecting page file of the crash tests. It keeps two images: what the process sees
 * (the page cache: every write lands there at once) and what is durable (the disk: only what a
 * {@link #force()} covered, plus growth, which the real file forces). A simulated machine crash
 * ({@link #crash}) builds the disk image after the crash: for every page whose cached content
 * differs from the durable one, the kernel may have written it back whole, not at all, or torn
 * (a random subset of its 512-byte sectors), chosen at random. A process crash
 * ({@link #processCrashImage()}) keeps the page cache. Forces and growth can be made to fail.
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
        this.durable = image.clone();
        map(image.length / pageSize);
        MemorySegment[] chunks = chunks();
        for (int k = 0; k < chunks.length; k++) {
            MemorySegment.copy(MemorySegment.ofArray(image), Chunks.start(k) * pageSize, chunks[k], 0, chunks[k].byteSize());
        }
    }

    /** A new, zeroed file of {@link Chunks#MIN_PAGES} pages. */
    public static SimulatedPageFile fresh(int pageSize) {
        return new SimulatedPageFile(pageSize, new byte[(int) (Chunks.MIN_PAGES * pageSize)]);
    }

    /** A file whose disk (and so page cache, after a reboot) holds {@code image}. */
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
        return super.pages(page, count);
    }

    @Override
    public synchronized void grow(long newPageCount) throws IOException {
        if (diskFull) {
            throw new IOException("No space left on device (simulated)");
        }
        map(newPageCount);
        durable = Arrays.copyOf(durable, (int) (newPageCount * pageSize));
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
        long pages = pageCount();
        MemorySegment[] c = chunks();
        byte[] image = new byte[(int) (pages * pageSize)];
        for (int k = 0; k < Chunks.count(pages); k++) {
            MemorySegment.copy(c[k], ValueLayout.JAVA_BYTE, 0, image, (int) (Chunks.start(k) * pageSize),
                    (int) c[k].byteSize());
        }
        return image;
    }

    /** The disk after a machine crash now: see the class comment. Counts the pages it tore. */
    public synchronized byte[] crash(SplittableRandom random, int[] tornPages) {
        byte[] cache = processCrashImage();
        byte[] disk = durable.clone();
        for (int p = 0; p < pageCount(); p++) {
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
