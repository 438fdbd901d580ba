package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.skipstore.pagestore.Durability;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * Opening a store file on disk: creation that a crash cannot leave half done, and the checks a
 * file must pass before it is mapped.
 *
 * <p><b>Create.</b> A new store is formatted in {@code <name>.creating} (forced) and then renamed
 * to its name atomically, and the directory is forced: the name either does not exist or names a
 * whole store, never an empty or half-written file.
 *
 * <p><b>Lock.</b> Every open holds the store's {@link StoreLock} (a lock file of its own) before it
 * opens a channel on the store, and one channel serves it from then on.
 *
 * <p><b>Open.</b> A file too short to hold its two meta pages is read through the channel, so that
 * the error names the problem (and the file is never extended or written). A file shorter than a
 * meta says ({@link Meta#filePages}) is found by recovery; a longer one (writes of a commit that a
 * crash interrupted) is fine, the extra space is reused.
 */
public final class PageFiles {

    private PageFiles() {
    }

    /** Opens the store at {@code path}, creating it when absent and {@code create} is set. */
    public static Pager open(Path path, int pageSize, Durability durability, boolean create, Pager.Hook hook)
            throws IOException {
        checkPageSize(pageSize);
        return open(path, pageSize, false, durability, create, hook);
    }

    /**
     * Opens the store at {@code path} with the page size it records, or creates it (when absent
     * and {@code create} is set) with pages of {@code newPageSize} bytes.
     */
    public static Pager openRecorded(Path path, int newPageSize, Durability durability, boolean create,
            Pager.Hook hook) throws IOException {
        checkPageSize(newPageSize);
        return open(path, newPageSize, true, durability, create, hook);
    }

    /**
     * The store's {@link StoreLock} comes first: no channel on the file is opened before it is
     * held, since closing one would drop a lock on the file itself; then one channel serves the
     * probes and the mapping.
     */
    private static Pager open(Path path, int pageSize, boolean recorded, Durability durability, boolean create,
            Pager.Hook hook) throws IOException {
        if (Files.isDirectory(path)) {
            throw new StoreFailure(Problem.NOT_WRITABLE, path + " is a directory, not a Skipstore file");
        }
        StoreLock lock = StoreLock.acquire(path);
        FileChannel channel = null;
        try {
            if (!Files.exists(path)) {
                if (!create) {
                    throw new java.nio.file.NoSuchFileException(path.toString());
                }
                createAtomically(path, pageSize, hook);
            }
            channel = MappedPageFile.channel(path, false);
            if (recorded) {
                int size = pageSizeOf(channel);
                pageSize = size != 0 ? size : pageSize;
            }
            long size = channel.size();
            long pages = size / pageSize;
            if (pages < Meta.SLOTS) {
                throw tooShort(channel, path, pageSize, size);
            }
            long capacity = Chunks.MIN_PAGES;
            while (capacity < pages) { // the chunks that hold the file; recovery maps more if its state needs them
                capacity = Chunks.next(capacity);
            }
            FileChannel owned = channel;
            channel = null;
            StoreLock held = lock;
            lock = null;
            MappedPageFile file = MappedPageFile.open(path, owned, held, pageSize, capacity); // owns both now
            try {
                return Pager.open(file, durability, hook, path.toString());
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        } finally {
            try {
                if (channel != null) {
                    channel.close();
                }
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        }
    }

    private static void checkPageSize(int pageSize) {
        if (pageSize < 512 || pageSize > (1 << 20) || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two from 512 to 1 MiB: " + pageSize);
        }
    }

    /**
     * The page size that the store file at {@code path} records, or 0 when it is missing or no
     * meta slot with a valid checksum says. Reads through a channel of its own, which cannot
     * drop an open store's lock (that is on the {@link StoreLock} file).
     */
    public static int pageSizeOf(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return pageSizeOf(ch);
        }
    }

    private static int pageSizeOf(FileChannel ch) throws IOException {
        // slot 0 at offset 0; slot 1 one page further, at an offset that is the page size itself
        for (long at = 0; at <= (1 << 20); at = at == 0 ? 512 : at * 2) {
            ByteBuffer b = ByteBuffer.allocateDirect(512); // native, as every segment the store reads
            if (ch.read(b, at) < 512) {
                return 0;
            }
            MemorySegment slot = MemorySegment.ofBuffer(b.clear());
            if (Meta.check(slot, -1) == Meta.Status.BAD_PAGE_SIZE) {
                int size = Meta.pageSizeOf(slot);
                if (at == 0 || size == at) {
                    return size;
                }
            }
        }
        return 0;
    }

    private static void createAtomically(Path path, int pageSize, Pager.Hook hook) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".creating");
        Files.deleteIfExists(tmp);
        // under the name's lock: no other open makes or reads the temporary file
        try (MappedPageFile file = MappedPageFile.open(tmp, MappedPageFile.channel(tmp, true), null, pageSize,
                Chunks.MIN_PAGES)) {
            Pager.create(file, Durability.SYNC, hook);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        Path dir = path.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself
        } catch (IOException e) {
            // some file systems cannot force a directory; the rename is still atomic
        }
    }

    /** The error for a file too short to map: read its first pages to name the problem. */
    private static StoreFailure tooShort(FileChannel ch, Path path, int pageSize, long size) throws IOException {
        ByteBuffer head = ByteBuffer.allocateDirect(2 * pageSize);
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
            // read what there is
        }
        MemorySegment s = MemorySegment.ofBuffer(head.clear());
        for (int slot = 0; slot < 2; slot++) {
            MemorySegment page = s.asSlice((long) slot * pageSize, pageSize);
            if (Meta.check(page, pageSize) == Meta.Status.VALID) {
                return new StoreFailure(Problem.TRUNCATED, path + " is truncated: " + size + " bytes, but meta "
                        + slot + " needs " + Meta.read(page).filePages * pageSize);
            }
            if (Meta.check(page, pageSize) == Meta.Status.BAD_PAGE_SIZE) {
                return new StoreFailure(Problem.PAGE_SIZE, path + " has pages of " + Meta.pageSizeOf(page)
                        + " bytes, not " + pageSize);
            }
        }
        boolean magic = size >= 8 && s.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED
                .withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0) == Meta.MAGIC;
        return magic
                ? new StoreFailure(Problem.TRUNCATED, path + " is truncated: " + size + " bytes")
                : new StoreFailure(Problem.NOT_A_STORE, path + " is not a Skipstore file (" + size
                        + " bytes, no meta page has the magic)");
    }
}
