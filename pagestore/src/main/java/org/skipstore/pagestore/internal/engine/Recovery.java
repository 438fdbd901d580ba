package org.skipstore.pagestore.internal.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.Cursor;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.PageStoreBuilder;
import org.skipstore.pagestore.ReadTransaction;
import org.skipstore.pagestore.WriteDurability;
import org.skipstore.pagestore.WriteTransaction;
import org.skipstore.pagestore.internal.StoreFailure;

/**
 * Opening a database: which writes it holds, and where the log goes on.
 *
 * <ol>
 *   <li>The directory (created owner-only by default) and the store in it, whose lock is the
 *       database's: a second open, here or in another process, fails {@code LOCKED} before
 *       anything else is read.</li>
 *   <li>The store's commit metadata: the database id ({@link #ID}, drawn at creation, written
 *       in every log segment's header so that a segment of another database is refused) and the
 *       flushed sequence ({@link Flusher#FLUSHED}). A store without an id is a plain page store,
 *       not a database, unless it is empty (a crash between creating it and committing the id).</li>
 *   <li>Replay ({@link LogReader}): every record above the flushed sequence, applied as the
 *       commit leader applies a group ({@link Writes#apply}); a memtable that fills is flushed at
 *       once (through the test hook's flush points too: a crash there must recover as well). A torn tail of the newest segment is dropped; damage elsewhere fails the open
 *       {@code CORRUPT}, unless the options say to open at the last consistent point, which sets
 *       the damaged part aside (renamed, never deleted) and says so in the {@link Report} and
 *       the log.</li>
 *   <li>The log goes on after the last good record ({@link LogWriter#resume}); in NO_LOG mode
 *       what was replayed is flushed and the segments deleted.</li>
 * </ol>
 */
final class Recovery {

    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /** Commit metadata: the database id, 8 bytes. */
    static final String ID = "skipstore.engine.id";

    /** What an open found and did. */
    record Report(boolean created, long flushedSequence, long lastSequence, long recordsReplayed, long bytesDropped,
                  List<String> dropped, long nanos) {
    }

    private Recovery() {
    }

    static Engine open(Path dir, EngineOptions o, Point.Hook hook) throws IOException {
        long start = System.nanoTime();
        Path storePath = dir.resolve(Engine.STORE_FILE);
        boolean existed = Files.exists(storePath);
        if (!existed) {
            if (!o.createIfMissing()) {
                throw new StoreFailure(Problem.NOT_FOUND, "no database in " + dir);
            }
            createDirectory(dir, o.filePermissions());
        }
        // Only flushes write the store, each a large transaction: a small pool costs them little and
        // keeps little memory between them (a Kafka Streams instance runs many stores), and a
        // flush writes its blocks ahead past a bound that does not grow with the store.
        PageStoreBuilder b = PageStore.builder().durability(Durability.SYNC).createIfMissing(o.createIfMissing())
                .writeBufferPoolBytes(Engine.STORE_WRITE_BUFFER_POOL)
                .transactionBufferBytes(Engine.FLUSH_BUFFER_BYTES);
        PageStore store = (existed ? b : b.pageSize(o.pageSize())).open(storePath); // step 1
        try {
            if (!existed) {
                restrict(storePath, o.filePermissions());
                restrict(storePath.resolveSibling(Engine.STORE_FILE + ".lock"), o.filePermissions());
            }
            long id;
            long flushed;
            byte[] keyPrefix;
            try (ReadTransaction r = store.read()) { // step 2
                byte[] idBytes = r.metadata(ID);
                if (idBytes == null && (r.count() > 0 || !r.metadata().isEmpty())) {
                    throw new StoreFailure(Problem.NOT_A_STORE, storePath + " is a page store, not a database's");
                }
                id = idBytes == null ? 0 : Sequences.read(idBytes, ID);
                flushed = idBytes == null ? 0 : Sequences.read(r.metadata(Flusher.FLUSHED), Flusher.FLUSHED);
                keyPrefix = commonKeyPrefix(r);
            }
            boolean created = id == 0;
            if (created) {
                id = new SecureRandom().nextLong() | 1; // never 0
                try (WriteTransaction t = store.write()) {
                    t.putMetadata(ID, Sequences.bytes(id));
                    t.putMetadata(Flusher.FLUSHED, Sequences.bytes(0));
                    t.commit();
                }
            }
            Stalls stalls = new Stalls();
            Layers layers = new Layers(Engine.memtables(o, keyPrefix), o.maxSealed(), new StoreView(store.read(), flushed),
                    flushed, stalls);
            Writes replayWrites = new Writes(layers, null, Point.Hook.NONE, flushed);
            Flusher replayFlusher = new Flusher(store, layers, null, hook, flushed);
            LogReader.Replay replay = LogReader.replay(dir, id, flushed, (seq, payload) -> { // step 3
                replayWrites.apply(payload, seq);
                replayWrites.advanceTo(seq);
                layers.publish(seq);
                Layer full = layers.peek().state().sealed.isEmpty() ? null : layers.peek().state().sealed.getLast();
                if (full != null) {
                    replayFlusher.flush(full);
                }
            }, o.openAtLastConsistentPoint());
            if (!replay.dropped().isEmpty()) {
                int moved = LogReader.setAside(dir, replay);
                LOG.log(System.Logger.Level.WARNING, "{0}: the log was damaged; opened at its last consistent point, "
                        + "sequence {1}, setting {2} file(s) aside: {3}", dir, replay.lastSequence(), moved,
                        String.join("; ", replay.dropped()));
            }
            long last = Math.max(flushed, replay.lastSequence());
            LogWriter log = null;
            if (o.durability() != WriteDurability.NO_LOG) { // step 4
                log = LogWriter.resume(dir, id, replay, o.logSegmentBytes(), o.filePermissions());
            } else if (replay.newestSegment() != null) {
                layers.checkRunning();
                Layer a = layers.active();
                if (a.holdsWrites()) {
                    layers.seal();
                    layers.publish(last);
                    replayFlusher.flush(layers.peek().state().sealed.getLast());
                }
                for (Path segment : LogFiles.list(dir).values()) {
                    Files.delete(segment);
                }
                LogFiles.forceDirectory(dir);
            }
            Writes writes = new Writes(layers, log, hook, last);
            Flusher flusher = new Flusher(store, layers, log, hook, replayFlusher.flushedSequence());
            Report report = new Report(created, flushed, last, replay.recordsReplayed(), replay.bytesDropped(),
                    replay.dropped(), System.nanoTime() - start);
            return new Engine(dir, o, store, log, layers, writes, flusher, stalls, id, report);
        } catch (IOException | RuntimeException | Error e) {
            try {
                store.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The directory, with the files' permissions plus search where they allow reading. */
    private static void createDirectory(Path dir, Set<PosixFilePermission> files) throws IOException {
        Set<PosixFilePermission> d = EnumSet.noneOf(PosixFilePermission.class);
        d.addAll(files);
        if (files.contains(PosixFilePermission.OWNER_READ)) {
            d.add(PosixFilePermission.OWNER_EXECUTE);
        }
        if (files.contains(PosixFilePermission.GROUP_READ)) {
            d.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (files.contains(PosixFilePermission.OTHERS_READ)) {
            d.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        if (Files.isDirectory(dir)) {
            return; // the user's: left as it is
        }
        if (isPosix(dir.toAbsolutePath().getParent())) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(d));
        } else {
            Files.createDirectories(dir);
        }
    }

    private static boolean isPosix(Path p) {
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Sets a file the store created to the database's permissions (the store creates with the process's umask). */
    private static void restrict(Path file, Set<PosixFilePermission> perms) throws IOException {
        if (Files.exists(file) && isPosix(file)) {
            Files.setPosixFilePermissions(file, perms);
        }
    }

    /**
     * The prefix the store's keys share, as its first and last key tell; empty when it holds
     * fewer than two. The first memtable's hint ({@code ConcurrentSkipList.Builder#sharedKeyPrefix}):
     * the keys written next are likely alike.
     */
    private static byte[] commonKeyPrefix(ReadTransaction r) {
        try (Cursor c = r.cursor()) {
            if (!c.first()) {
                return new byte[0];
            }
            byte[] first = c.keyBytes();
            c.last();
            byte[] last = c.keyBytes();
            int n = Arrays.mismatch(first, last);
            return n < 0 ? new byte[0] : Arrays.copyOf(first, n);
        }
    }
}
