package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * The log's directory: which segments it holds, and opening, creating and forcing files in it.
 *
 * <p>Names are parsed strictly ({@link LogFormat#parseSegmentName}) and every path is built anew
 * from the parsed number, so no name read from disk becomes a path. Segments are opened with
 * {@link LinkOption#NOFOLLOW_LINKS} after checking that they are regular files: a link or a
 * directory under a segment's name is reported, never followed out of the directory.
 */
final class LogFiles {

    /** How the log opens its files: {@link FileChannel#open}, or a test's faulty channel. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attributes)
                throws IOException;
    }

    static final Opener DEFAULT = FileChannel::open;

    private LogFiles() {
    }

    /** The segments in {@code dir} by first sequence, each path made from its number. */
    static NavigableMap<Long, Path> list(Path dir) throws IOException {
        NavigableMap<Long, Path> segments = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                long first = LogFormat.parseSegmentName(entry.getFileName().toString());
                if (first >= 0) {
                    segments.put(first, segment(dir, first));
                }
            }
        }
        return segments;
    }

    static Path segment(Path dir, long first) {
        return dir.resolve(LogFormat.segmentName(first));
    }

    /** Opens segment {@code path} for reading: a regular file, never through a link. */
    static FileChannel openRead(Path path) throws IOException {
        requireRegular(path);
        return FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Opens segment {@code path} for writing and mapping (which needs reading too) through
     * {@code opener}: a regular file, never through a link.
     */
    static FileChannel openWrite(Opener opener, Path path) throws IOException {
        requireRegular(path);
        return opener.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Creates {@code path}, which must not exist, with {@code permissions} (null: the file
     * system's default). They are set again after the creation because the umask narrows the
     * ones given to open(2).
     */
    static FileChannel create(Opener opener, Path path, Set<PosixFilePermission> permissions) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        boolean posix = permissions != null
                && Files.getFileAttributeView(path.getParent(), PosixFileAttributeView.class) != null;
        FileChannel channel = posix
                ? opener.open(path, options, PosixFilePermissions.asFileAttribute(permissions))
                : opener.open(path, options);
        try {
            if (posix) {
                Files.setPosixFilePermissions(path, permissions);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The permissions of {@code path} when the file system has POSIX ones, else null. */
    static Set<PosixFilePermission> permissions(Path path) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        return view == null ? null : view.readAttributes().permissions();
    }

    /** The size of {@code path} itself (a link's own, never its target's). */
    static long size(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
    }

    private static void requireRegular(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new StoreFailure(Problem.CORRUPT, path + " has a log segment's name but is not a regular file ("
                    + (a.isSymbolicLink() ? "a link" : a.isDirectory() ? "a directory" : "another kind")
                    + "); the log follows nothing out of its directory");
        }
    }

    /**
     * fsync(2) of the directory, so that the names created, renamed or deleted in it survive a
     * machine crash (fdatasync of a file covers its data and size, not its name).
     */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (FileSystemException e) {
            throw new StoreFailure(Problem.IO, "cannot force the log's directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
