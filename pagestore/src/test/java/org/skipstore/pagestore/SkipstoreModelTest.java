package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.internal.bskip.Tree;
import org.skipstore.pagestore.internal.engine.Point;

/**
 * The engine against a TreeMap model ({@link EngineModel}): long seeded sequences of puts,
 * deletes and atomic batches (now and then with a per-write durability), point reads, scans
 * both ways with bounds and limits, cursor walks that switch direction, snapshots kept open
 * across later writes and flushes and checked again, forced flushes, checkpoints with commit
 * metadata, automatic flushes (1 MiB memtables and small entries: many memtables seal and
 * writers stall), clean reopens, and crashes: {@link Skipstore#crash()} alone, or after a
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

    /** A snapshot kept open, and what it must go on returning. */
    private record OpenSnapshot(DbSnapshot snap, long sequence, List<byte[]> probes, List<byte[]> values,
                                ModelReads.RangeCase scan) {
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
    final List<OpenSnapshot> snapshots = new ArrayList<>();
    final WriteBatch batch = new WriteBatch();
    final long[] fires = new long[Point.values().length];
    final long[] crashes = new long[MODES.length];
    long writes;
    /** Flushes the engines made on their own, at least: their flushes less the checkpoints asked of them. */
    long automaticFlushes;
    /** Times writers waited for a flush. */
    long stalls;
    long snapshotChecks;
    long flushes;
    long checkpoints;
    long reopens;
    long plainCrashes;
    long doubtKept;
    long doubtLost;
    long noLogLost;

    @Test
    void longRandomSequencesAgreeWithATreeMapThroughFlushesCheckpointsReopensAndCrashes() throws IOException {
        seed = Long.getLong("skipstore.seed", System.nanoTime());
        System.out.println("SkipstoreModelTest seed=" + seed + " (replay with -Dskipstore.seed=" + seed + ")");
        r = new SplittableRandom(seed);
        long start = System.nanoTime();
        while (ops < OPS || round < MODES.length) {
            runRound();
        }
        System.out.printf("  %d operations in %d rounds, %.1f s: %d writes, %d snapshot checks, %d flushes, "
                        + "%d checkpoints, at least %d automatic flushes, %d stalls, %d reopens, %d plain crashes, "
                        + "hooked crashes by mode %s, "
                        + "hook struck at %s, "
                        + "writes in doubt kept %d / lost %d, NO_LOG crashes that lost acknowledged writes %d%n",
                ops, round, (System.nanoTime() - start) / 1e9, writes, snapshotChecks, flushes, checkpoints,
                automaticFlushes, stalls, reopens,
                plainCrashes, perMode(), struck(), doubtKept, doubtLost, noLogLost);
        assertThat(reopens).isPositive();
        assertThat(plainCrashes + java.util.Arrays.stream(crashes).sum()).isPositive();
        if (OPS >= 1_000_000) { // enough for every mode and point to come up: a shorter run may miss one
            for (WriteDurability m : MODES) {
                assertThat(crashes[m.ordinal()]).as("hooked crashes in %s", m).isPositive();
            }
            for (Point p : Point.values()) {
                assertThat(fires[p.ordinal()]).as("crashes at %s", p).isPositive();
            }
        }
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
        // stormy rounds crash and checkpoint often; in calm ones memtables fill, flush on their own and stall writers
        rare = forced ? 25 : (round / MODES.length) % 2 == 0 ? 300 : 5_000;
        long until = ops + (forced ? 5_000 : 50_000 + r.nextInt(80_000));
        model = new EngineModel();
        db = builder.open(dir);
        while (ops < until && forcedLeft > 0) {
            step();
        }
        reopen(); // every round ends with a clean close, an open and a whole comparison
        engineStats();
        db.close();
        for (Point p : Point.values()) {
            fires[p.ordinal()] += hook.fires(p);
        }
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
            } else if (a < 68) {
                get();
            } else if (a < 76) {
                scan();
            } else if (a < 82) {
                walk();
            } else if (a < 85) {
                openSnapshot();
            } else if (a < 90) {
                checkSnapshot();
            } else {
                get();
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

    /** A key the model holds, mostly. */
    byte[] existingKey() {
        byte[] k = model.map.ceilingKey(key());
        return k == null ? key() : k;
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
            model.apply(list, true);
            throw new Crashed();
        }
        model.apply(list, false);
        writes++;
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

    void get() {
        ops++;
        byte[] k = r.nextInt(3) == 0 ? existingKey() : key();
        byte[] want = model.map.get(k);
        switch (r.nextInt(6)) {
            case 0 -> assertThat(db.containsKey(k)).as(this::where).isEqualTo(want != null);
            case 1 -> {
                MemorySegment v = db.get(MemorySegment.ofArray(k));
                assertThat(v == null ? null : v.toArray(ValueLayout.JAVA_BYTE)).as(this::where).isEqualTo(want);
            }
            default -> assertThat(db.get(k)).as(this::where).isEqualTo(want);
        }
        if (r.nextInt(100) == 0) {
            assertThat(db.stats().sequence()).as(this::where).isEqualTo(model.sequence);
        }
    }

    void scan() {
        ops++;
        ModelReads.RangeCase c = ModelReads.range(r, model.map, key(), key());
        List<KeyValue> got;
        switch (r.nextInt(3)) {
            case 0 -> got = db.list(c.range());
            case 1 -> {
                try (Stream<KeyValue> s = db.stream(c.range())) {
                    got = s.toList();
                }
            }
            default -> {
                try (DbSnapshot s = db.snapshot()) {
                    got = s.list(c.range());
                }
            }
        }
        assertThat(got).as(this::where).isEqualTo(c.expected());
    }

    void walk() {
        boolean own = r.nextInt(3) == 0;
        try (DbSnapshot s = own ? db.snapshot() : null; OrderedCursor c = own ? s.cursor() : db.cursor()) {
            ops += ModelReads.walk(r, c, model.map, key(), this::where);
        }
    }

    void openSnapshot() {
        ops++;
        if (snapshots.size() >= 4) {
            checkSnapshot(snapshots.removeFirst(), true);
        }
        List<byte[]> probes = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] k = i % 2 == 0 ? existingKey() : key();
            probes.add(k);
            values.add(model.map.get(k));
        }
        snapshots.add(new OpenSnapshot(db.snapshot(), model.sequence, probes, values,
                ModelReads.range(r, model.map, key(), key())));
    }

    void checkSnapshot() {
        if (snapshots.isEmpty()) {
            openSnapshot();
            return;
        }
        int i = r.nextInt(snapshots.size());
        boolean close = r.nextInt(3) == 0;
        checkSnapshot(close ? snapshots.remove(i) : snapshots.get(i), close);
    }

    /** The snapshot still reads as it did when it was taken, whatever was written, flushed or checkpointed since. */
    void checkSnapshot(OpenSnapshot o, boolean close) {
        ops++;
        snapshotChecks++;
        assertThat(o.snap().sequence()).as(this::where).isEqualTo(o.sequence());
        for (int i = 0; i < o.probes().size(); i++) {
            assertThat(o.snap().get(o.probes().get(i))).as(this::where).isEqualTo(o.values().get(i));
        }
        assertThat(o.snap().list(o.scan().range())).as(this::where).isEqualTo(o.scan().expected());
        if (close) {
            o.snap().close();
        }
    }

    /** Closes the open snapshots; once their database is closed or crashed, their reads fail CLOSED. */
    void closeSnapshots() {
        for (OpenSnapshot o : snapshots) {
            assertThatThrownBy(() -> o.snap().get(o.probes().getFirst())).as(this::where)
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            o.snap().close();
        }
        snapshots.clear();
    }

    void flush() {
        call(db::flush);
        flushes++;
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
        checkpoints++;
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
        closeSnapshots();
        hook.clear();
        db = builder.open(dir);
        if (failed) {
            recovered(flushedSeen);
            return;
        }
        reopens++;
        assertThat(db.stats().sequence()).as(this::where).isEqualTo(model.sequence);
        compare();
        assertThat(EngineModel.sameMetadata(db.metadata(), model.metadata)).as(this::where).isTrue();
        model.settle();
    }

    /** Adds up what the engine about to be closed or crashed did on its own. */
    void engineStats() {
        EngineStats st = db.stats();
        automaticFlushes += Math.max(0, st.flushes() - checkpointsHere);
        stalls += st.stalls();
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
        closeSnapshots();
        hook.clear();
        db = builder.open(dir);
        recovered(flushedSeen);
        if (hooked) {
            crashes[mode.ordinal()]++;
        } else {
            plainCrashes++;
        }
    }

    /** The reopened database against the crash rule ({@link EngineModel}); what it holds becomes the model. */
    void recovered(long flushedSeen) {
        long s = db.stats().sequence();
        long lowest = mode == WriteDurability.NO_LOG ? Math.max(model.floor, flushedSeen) : model.acknowledged();
        assertThat(s).as("%s: recovered sequence (acknowledged %d, in doubt %s, flushed %d, checkpoint %d)", where(),
                model.acknowledged(), model.inDoubt, flushedSeen, model.floor).isBetween(lowest, model.sequence);
        if (model.inDoubt) {
            if (s == model.sequence) {
                doubtKept++;
            } else {
                doubtLost++;
            }
        }
        if (s < model.acknowledged()) {
            noLogLost++;
        }
        model.rollBackTo(s);
        compare();
        Map<String, byte[]> meta = db.metadata();
        if (!EngineModel.sameMetadata(model.metadata, meta)) {
            assertThat(model.withDoubtful(meta)).as("%s: metadata neither the last checkpoint's nor the failed one's",
                    where()).isTrue();
            assertThat(db.stats().flushedSequence()).as("%s: the failed checkpoint's metadata without its writes",
                    where()).isGreaterThanOrEqualTo(model.doubtfulCheckpoint);
            model.doubtfulCommitted();
        }
        model.settle();
    }

    void compare() {
        List<KeyValue> got = db.list(Range.all());
        List<KeyValue> want = model.entries();
        if (!got.equals(want)) {
            int i = 0;
            while (i < got.size() && i < want.size() && got.get(i).equals(want.get(i))) {
                i++;
            }
            fail(where() + ": the database holds " + got.size() + " entries, the model " + want.size()
                    + "; first difference at " + i + ": " + (i < got.size() ? got.get(i) : "none") + " where the model has "
                    + (i < want.size() ? want.get(i) : "none"));
        }
    }

    private String perMode() {
        StringBuilder b = new StringBuilder();
        for (WriteDurability m : MODES) {
            b.append(b.isEmpty() ? "" : ", ").append(m).append(' ').append(crashes[m.ordinal()]);
        }
        return b.toString();
    }

    private String struck() {
        StringBuilder b = new StringBuilder();
        for (Point p : Point.values()) {
            b.append(b.isEmpty() ? "" : ", ").append(p).append(' ').append(fires[p.ordinal()]);
        }
        return b.toString();
    }
}
