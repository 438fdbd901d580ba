package org.skipstore.pagestore.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * The exclusive hold of one store file by one open store: against a second open in this process
 * and in any other.
 *
 * <p>Why a lock file of its own ({@code <name>.lock} beside the store, as LMDB's {@code lock.mdb}
 * and RocksDB's {@code LOCK}): {@link FileChannel#lock} takes a POSIX record lock, which belongs to
 * the process and the file, and closing <em>any</em> descriptor of the file in the process drops
 * it. Locking the data file itself let a refused second open, a {@code Files.readAllBytes} of the
 * store anywhere in the application, or an interrupt that closed the store's channel silently
 * unlock it for a second writer in another process. Nothing but this class opens the lock file,
 * and its channel does no I/O after locking, so no interrupt can close it.
 *
 * <p>Within the process the hold is a set of the real paths of open stores, checked before any
 * channel on the store is opened: a second open is refused without touching the file. Symbolic
 * links are resolved; hard links to one store are not recognised as the same store.
 *
 * <p>The lock file holds no data and stays after close: deleting it would let an open that still
 * holds the old file and one that created a new file both believe they hold the store.
 */
public final class StoreLock implements AutoCloseable {

    /** Real paths of the stores held by this process. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path store;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private StoreLock(Path store, FileChannel channel, FileLock lock) {
        this.store = store;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of the store at {@code store}. */
    public static Path lockFile(Path store) {
        return store.resolveSibling(store.getFileName() + ".lock");
    }

    /**
     * Takes the store at {@code path} (which need not exist yet) for this open.
     *
     * @throws StoreFailure {@link Problem#LOCKED} when it is open in this process or another;
     *                        {@link Problem#NOT_WRITABLE} when the lock file cannot be created
     */
    public static StoreLock acquire(Path path) throws IOException {
        Path store = realPath(path);
        if (!HELD.add(store)) {
            throw new StoreFailure(Problem.LOCKED, path + " is already open in this process");
        }
        FileChannel channel = null;
        try {
            Path lockFile = lockFile(store);
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (FileSystemException e) {
                throw MappedPageFile.notWritable("cannot open the lock file " + lockFile, e);
            }
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) { // another class loader's copy of this class holds it
                lock = null;
            }
            if (lock == null) {
                throw new StoreFailure(Problem.LOCKED, path + " is already open in another process (" + lockFile
                        + " is locked)");
            }
            return new StoreLock(store, channel, lock);
        } catch (IOException | RuntimeException e) {
            HELD.remove(store);
            if (channel != null) {
                channel.close();
            }
            throw e;
        }
    }

    /** {@code path} with its directory's and its own symbolic links resolved; it need not exist. */
    private static Path realPath(Path path) throws IOException {
        if (Files.exists(path)) {
            return path.toRealPath();
        }
        Path abs = path.toAbsolutePath();
        Path dir = abs.getParent();
        return dir == null ? abs : dir.toRealPath().resolve(abs.getFileName());
    }

    /** Whether the process still holds the lock (always, until {@link #close}). */
    public boolean isValid() {
        return lock.isValid();
    }

    /** Releases the store: the lock, then the process's hold; does nothing the second time. */
    @Override
    public synchronized void close() throws IOException {
        if (released) {
            return; // the path may be held by a later open by now
        }
        released = true;
        try {
            channel.close(); // releases the lock
        } finally {
            HELD.remove(store);
        }
    }
}
