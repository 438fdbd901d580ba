package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * The engine against a TreeMap model ({@link EngineModel}): long seeded sequences of puts,
 * deletes and atomic batches (now and then with a per-write durability), point reads, scans
 * both ways with bounds and limits, cursor walks that switch direction, snapshots kept open
 * across later writes and flushes and checked again, forced flushes, checkpoints with commit
 * metadata, automatic flushes (1 MiB memtables and small entries: many memtables seal, and
 * writers may stall), clean reopens, and crashes: {@link Skipstore#crash()} alone, or after a
 * {@link CrashHook} armed at a random {@link Point} and count struck (in the writer's path or
 * the flusher's). A round per durability mode in turn; after every crash the database must hold
 * exactly what {@link EngineModel}'s crash rule allows.
 *
 * <p>{@code -Dskipstore.modelOps=N} sets the operations (default one million),
 * {@code -Dskipstore.seed=S} replays a run's operations (the flusher's thread may interleave
 * otherwise). SYNC and GROUP rounds are short: each of their writes waits for a disk force.
 */
class SkipstoreModelTest {

    static final long OPS = Long.getLong("skipstore.modelOps", 1_000_000);
    private static final WriteDurability[] MODES = WriteDurability.values();
    private static final WriteDurability[] LOGGED = {WriteDurability.SYNC, WriteDurability.GROUP,
            WriteDurability.NO_SYNC};
    private static final Point[] NO_LOG_POINTS = {Point.APPLIED, Point.FLUSH_WRITTEN, Point.FLUSH_COMMITTED,
            Point.FLUSH_PUBLISHED, Point.LOG_TRIMMED};

    /** A call failed after the armed hook struck: the step ends and the database is crashed. */
    private static final class Crashed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crashed() {
            super(null, null, false, false);
        }
    }

    @TempDir
    Path tmp;

    long seed;
    SplittableRandom r;
    long ops;
    int round;
    WriteDurability mode;
    boolean forced;
    Path dir;
    SkipstoreBuilder builder;
    CrashHook hook;
    Skipstore db;
    EngineModel model;
    int space;
    int pageSize;
    long forcedLeft;
    /** One step in this many is a rare event (flush, checkpoint, reopen, crash...). */
    int rare;
    /** Checkpoints and flushes that returned since this engine opened: the rest of its flushes were automatic. */
    long checkpointsHere;
    /** While a crash is armed: the operation count at which to crash anyway. */
    long crashBy = -1;
    long checkpointNumber;
    ModelReads reads;
    final WriteBatch batch = new WriteBatch();
    final ModelTally tally = new ModelTally();

    @Test
    void longRandomSequencesAgreeWithATreeMapThroughFlushesCheckpointsReopensAndCrashes() throws IOException {
        seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("SkipstoreModelTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        r = new SplittableRandom(seed);
        long start = System.nanoTime();
        while (ops < OPS || round < MODES.length) {
            runRound();
        }
        tally.print(ops, round, (System.nanoTime() - start) / 1e9);
        tally.assertReached(OPS >= 1_000_000); // a shorter run may miss a mode or a point
    }

    void runRound() throws IOException {
        mode = MODES[round % MODES.length];
        forced = mode == WriteDurability.SYNC || mode == WriteDurability.GROUP;
        dir = tmp.resolve("round" + round);
        pageSize = r.nextBoolean() ? 4096 : 1024;
        hook = new CrashHook();
        builder = Skipstore.builder().memtableBytes(1 << 20).maxSealedMemtables(1 + r.nextInt(3))
                .memtableShards(1 + r.nextInt(4)).logSegmentBytes((64L << 10) << r.nextInt(3)).pageSize(pageSize)
                .durability(mode).hook(hook);
        space = 100 + r.nextInt(round % 2 == 0 ? 2_000 : 30_000);
        forcedLeft = forced ? 200 + r.nextInt(200) : Long.MAX_VALUE;
        // stormy rounds crash and checkpoint often; in calm ones memtables fill and flush on their own
        rare = forced ? 25 : (round / MODES.length) % 2 == 0 ? 300 : 5_000;
        long until = ops + (forced ? 5_000 : 50_000 + r.nextInt(80_000));
        model = new EngineModel();
        reads = new ModelReads(r, this::key, this::where);
        db = builder.open(dir);
        while (ops < until && forcedLeft > 0) {
            step();
        }
        reopen(); // every round ends with a clean close, an open and a whole comparison
        engineStats();
        db.close();
        tally.hook(hook);
        tally.snapshotChecks += reads.snapshotChecks;
        round++;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    String where() {
        return "seed " + seed + ", round " + round + " (" + mode + "), op " + ops;
    }

    void step() {
        if (crashBy >= 0 && ops >= crashBy) {
            crash(); // armed where this round's work did not pass in time
            return;
        }
        try {
            if (r.nextInt(rare) == 0) {
                rareEvent();
                return;
            }
            int a = r.nextInt(100);
            if (a < 36) {
                write(1);
            } else if (a < 48) {
                write(1 + r.nextInt(r.nextInt(8) == 0 ? 300 : 16));
            } else if (a < 68 || a >= 90) {
                ops += reads.get(db, model);
            } else if (a < 76) {
                ops += reads.scan(db, model);
            } else if (a < 82) {
                ops += reads.walk(db, model);
            } else if (a < 85) {
                ops += reads.openSnapshot(db, model);
            } else {
                ops += reads.checkSnapshot(db, model);
            }
        } catch (Crashed c) {
            crash();
        }
    }

    void rareEvent() {
        int e = r.nextInt(100);
        if (e < 12) {
            flush();
        } else if (e < 30) {
            checkpoint();
        } else if (e < 36) {
            call(db::sync);
        } else if (e < 56) {
            reopen();
        } else if (e < 88) {
            arm();
        } else {
            crash();
        }
    }

    byte[] key() {
        if (r.nextInt(20_000) == 0) {
            return new byte[0];
        }
        int x = r.nextInt(space);
        byte[] k = new byte[1 + r.nextInt(x % 7 == 0 ? 30 : 6)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (i < 4 ? x >>> (8 * (3 - i)) : x * 31 + i);
        }
        return k;
    }

    byte[] value() {
        int len = switch (r.nextInt(50)) {
            case 0 -> r.nextInt(pageSize * 4); // out of line in the store
            case 1 -> (int) Tree.inlineMax(pageSize) - 4 + r.nextInt(8); // about the inline limit
            case 2 -> 0;
            default -> r.nextInt(40);
        };
        byte[] v = new byte[len];
        r.nextBytes(v);
        return v;
    }

    /** A write of {@code n} operations, a quarter of them deletes: a put or delete alone, or a batch. */
    void write(int n) {
        List<EngineModel.Op> list = new ArrayList<>(n);
        batch.clear();
        for (int i = 0; i < n && batch.memtableBytes() < (256 << 10); i++) { // a batch takes at most half a memtable
            byte[] k = key();
            byte[] v = r.nextInt(4) == 0 ? null : value();
            list.add(new EngineModel.Op(k, v));
            if (v == null) {
                batch.delete(k);
            } else {
                batch.put(k, v);
            }
        }
        Map<String, byte[]> meta = Map.of();
        if (n > 1 && r.nextInt(4) == 0) { // metadata riding in the batch, as a changelog's offsets do
            byte[] v = new byte[r.nextInt(60)];
            r.nextBytes(v);
            meta = Map.of("batch" + r.nextInt(3), v);
            meta.forEach(batch::putMetadata);
        }
        ops += list.size();
        WriteDurability how = n > 1 && mode != WriteDurability.NO_LOG && r.nextInt(10) == 0
                ? LOGGED[r.nextInt(LOGGED.length)] : null;
        boolean segments = r.nextInt(8) == 0;
        try {
            if (n > 1) {
                if (how == null) {
                    db.write(batch);
                } else {
                    db.write(batch, how);
                }
            } else if (list.getFirst().value() == null) {
                byte[] k = list.getFirst().key();
                if (segments) {
                    db.delete(MemorySegment.ofArray(k));
                } else {
                    db.delete(k);
                }
            } else if (segments) {
                db.put(MemorySegment.ofArray(list.getFirst().key()), MemorySegment.ofArray(list.getFirst().value()));
            } else {
                db.put(list.getFirst().key(), list.getFirst().value());
            }
        } catch (SkipstoreException e) {
            struck(e);
            model.apply(list, meta, true);
            throw new Crashed();
        }
        model.apply(list, meta, false);
        tally.writes++;
        if (!meta.isEmpty()) {
            tally.batchMetadata++;
            assertThat(EngineModel.sameMetadata(db.metadata(), model.metadata)).as("%s: a batch's metadata, read back",
                    where()).isTrue();
        }
        if ((how == null ? mode : how) != WriteDurability.NO_SYNC) {
            forcedLeft--;
        }
    }

    /** A call failed: that is expected only once the armed hook struck (in this call or in the flusher). */
    void struck(RuntimeException e) {
        if (!hook.fired()) {
            throw new AssertionError(where() + ": a call failed with no crash armed", e);
        }
    }

    void call(Runnable action) {
        try {
            action.run();
        } catch (SkipstoreException e) {
            struck(e);
            throw new Crashed();
        }
    }

    void flush() {
        call(db::flush);
        tally.flushes++;
        checkpointsHere++;
        model.checkpointed(Map.of());
        assertThat(db.stats().flushedSequence()).as(this::where).isGreaterThanOrEqualTo(model.sequence);
    }

    void checkpoint() {
        Map<String, byte[]> meta = new HashMap<>();
        meta.put("checkpoint", Long.toString(++checkpointNumber).getBytes(StandardCharsets.UTF_8));
        if (r.nextBoolean()) {
            byte[] v = new byte[r.nextInt(200)]; // commit metadata is small: 4 KiB in all
            r.nextBytes(v);
            meta.put("extra" + r.nextInt(3), v);
        }
        try {
            db.checkpoint(meta);
        } catch (SkipstoreException e) {
            struck(e);
            model.checkpointInDoubt(meta);
            throw new Crashed();
        }
        tally.checkpoints++;
        checkpointsHere++;
        model.checkpointed(meta);
        assertThat(EngineModel.sameMetadata(db.metadata(), model.metadata)).as(this::where).isTrue();
    }

    /** Arms the hook at a random point the mode passes, after a random count; a flush point is often tried at once. */
    void arm() {
        if (crashBy >= 0) {
            return;
        }
        Point[] points = mode == WriteDurability.NO_LOG ? NO_LOG_POINTS : Point.values();
        Point p = points[r.nextInt(points.length)];
        boolean flushPoint = p.compareTo(Point.FLUSH_WRITTEN) >= 0;
        hook.arm(p, flushPoint ? r.nextInt(2) : r.nextInt(forced ? 10 : 50));
        crashBy = ops + (forced ? 300 : flushPoint ? 20_000 : 3_000);
        if (flushPoint && r.nextBoolean()) {
            checkpoint();
        }
    }

    /** A clean close and open (after a failure, the close is a crash): everything is there. */
    void reopen() {
        hook.disarm();
        crashBy = -1;
        if (hook.fired()) {
            crash();
            return;
        }
        long flushedSeen = db.stats().flushedSequence();
        engineStats();
        boolean failed = false;
        try {
            db.close();
        } catch (SkipstoreException e) { // the hook struck in the flusher just before the close
            struck(e);
            failed = true;
        }
        reads.closeSnapshots();
        hook.clear();
        db = builder.open(dir);
        if (failed) {
            recovered(flushedSeen);
            return;
        }
        tally.reopens++;
        assertThat(db.stats().sequence()).as(this::where).isEqualTo(model.sequence);
        model.assertHeldBy(db, where());
        assertThat(EngineModel.sameMetadata(db.metadata(), model.metadata)).as(this::where).isTrue();
        model.settle();
    }

    /** Adds up what the engine about to be closed or crashed did on its own. */
    void engineStats() {
        tally.engine(db.stats(), checkpointsHere);
        checkpointsHere = 0;
    }

    /** Kills the database as a process crash would (after the hook struck, or not) and recovers it. */
    void crash() {
        hook.disarm();
        crashBy = -1;
        boolean hooked = hook.fired();
        long flushedSeen = db.stats().flushedSequence(); // committed already: durable
        engineStats();
        db.crash();
        reads.closeSnapshots();
        hook.clear();
        db = builder.open(dir);
        recovered(flushedSeen);
        if (hooked) {
            tally.crashes.merge(mode, 1L, Long::sum);
        } else {
            tally.plainCrashes++;
        }
    }

    /** The reopened database against the crash rule ({@link EngineModel}); what it holds becomes the model. */
    void recovered(long flushedSeen) {
        long all = model.sequence;
        long acknowledged = model.acknowledged();
        tally.recovered(model.recovered(db, mode != WriteDurability.NO_LOG, flushedSeen, where()), all, acknowledged);
    }
}
