package org.skipstore.pagestore.internal;

/**
 * A block of the structure failed its checksum ({@link BlockChecks}): the file is damaged there.
 * Internal: the API turns it into a {@code SkipstoreException} with {@code Problem.CORRUPT}, and the
 * store refuses writes from then on.
 */
public final class CorruptBlockException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long page;

    public CorruptBlockException(long page, long bytes, int stored, int actual) {
        super(String.format("the block at page %d (%d bytes) fails its checksum (stored %08x, computed %08x)", page,
                bytes, stored, actual));
        this.page = page;
    }

    /** The first page of the damaged block. */
    public long page() {
        return page;
    }
}
