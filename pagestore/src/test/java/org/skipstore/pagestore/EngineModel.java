package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.skipstore.core.Keys;

/**
 * What a {@link Skipstore} must hold, for {@link SkipstoreModelTest}: a TreeMap of the writes,
 * each write numbered as the engine numbers it (the next log sequence for each non-empty write),
 * with what a crash may take away.
 *
 * <h2>The crash rule</h2>
 * After a crash the engine is at some sequence S (its {@code stats().sequence()} once reopened)
 * and must hold exactly the first S writes, whole: {@link #rollBackTo} rebuilds that state from
 * an undo list kept back to {@link #floor}. Which S are allowed:
 * <ul>
 *   <li>SYNC, GROUP, NO_SYNC (a process crash): every acknowledged write, and the one whose call
 *       threw (at most one: the test crashes right after a failure) or not: S in
 *       [{@link #acknowledged()}, {@link #sequence}].</li>
 *   <li>NO_LOG: what the last flush that committed holds, at least the last checkpoint that
 *       returned and the flushed sequence the engine reported before the crash (a flush commits
 *       before it says so), and at most every write: S in [max({@link #floor}, flushed seen),
 *       {@link #sequence}]. A batch split across memtables counts whole or not at all.</li>
 * </ul>
 * Commit metadata: the checkpoints that returned and the batches' own metadata
 * ({@code WriteBatch.putMetadata}), merged in order ({@link #metadata}) and rolled back with the
 * writes (a batch's metadata is whole with its batch: after a crash at S, exactly the metadata of
 * writes up to S); a checkpoint whose call threw may have committed too ({@link #doubtfulMetadata}),
 * and then with its writes: the store's flushed sequence is at least its sequence.
 */
final class EngineModel {

    /** One operation: a put, or a delete when {@code value} is null. */
    record Op(byte[] key, byte[] value) {
    }

    private record Undo(long sequence, byte[] key, byte[] previous) {
    }

    private record MetadataUndo(long sequence, String name, byte[] previous) {
    }

    final TreeMap<byte[], byte[]> map = new TreeMap<>(Keys.BYTE_ARRAY_ORDER);
    /** The last write applied to {@link #map}: acknowledged, or the one in doubt. */
    long sequence;
    /** Whether write {@link #sequence} threw (it may or may not be durable). */
    boolean inDoubt;
    /** No crash goes below it: the last checkpoint that returned, or the last open. */
    long floor;
    private final List<Undo> undo = new ArrayList<>();
    private final List<MetadataUndo> metadataUndo = new ArrayList<>();
    /** The commit metadata of the checkpoints that returned. */
    final TreeMap<String, byte[]> metadata = new TreeMap<>();
    /** A checkpoint whose call threw, and the sequence it was to make durable; null when none. */
    Map<String, byte[]> doubtfulMetadata;
    long doubtfulCheckpoint;

    /** Write {@link #sequence} + 1: {@code ops} in order; {@code threw} when its call failed. */
    void apply(List<Op> ops, boolean threw) {
        apply(ops, Map.of(), threw);
    }

    /** Write {@link #sequence} + 1: {@code ops} in order, setting commit metadata {@code meta}. */
    void apply(List<Op> ops, Map<String, byte[]> meta, boolean threw) {
        sequence++;
        inDoubt = threw;
        for (Op o : ops) {
            byte[] previous = o.value() == null ? map.remove(o.key()) : map.put(o.key(), o.value());
            undo.add(new Undo(sequence, o.key(), previous));
        }
        meta.forEach((name, value) -> metadataUndo.add(new MetadataUndo(sequence, name, metadata.put(name, value))));
    }

    /** The last write that returned. */
    long acknowledged() {
        return inDoubt ? sequence - 1 : sequence;
    }

    /** A checkpoint returned: the writes so far and {@code meta} are durable together. */
    void checkpointed(Map<String, byte[]> meta) {
        metadata.putAll(meta);
        settle();
    }

    /** A checkpoint's call threw: it may have committed {@code meta} with the writes so far. */
    void checkpointInDoubt(Map<String, byte[]> meta) {
        doubtfulMetadata = meta;
        doubtfulCheckpoint = sequence;
    }

    /** The state as of write {@code s} (at or above {@link #floor}): later writes undone. */
    void rollBackTo(long s) {
        if (s < floor || s > sequence) {
            throw new IllegalArgumentException("sequence " + s + " outside [" + floor + ", " + sequence + "]");
        }
        while (!undo.isEmpty() && undo.getLast().sequence() > s) {
            Undo u = undo.removeLast();
            if (u.previous() == null) {
                map.remove(u.key());
            } else {
                map.put(u.key(), u.previous());
            }
        }
        while (!metadataUndo.isEmpty() && metadataUndo.getLast().sequence() > s) {
            MetadataUndo u = metadataUndo.removeLast();
            if (u.previous() == null) {
                metadata.remove(u.name());
            } else {
                metadata.put(u.name(), u.previous());
            }
        }
        if (s < sequence) {
            inDoubt = false;
        }
        sequence = s;
    }

    /** Nothing before now can be lost any more: a checkpoint returned, or the database was opened. */
    void settle() {
        undo.clear();
        metadataUndo.clear();
        floor = sequence;
        inDoubt = false;
        doubtfulMetadata = null;
    }

    /** Whether the recovered {@code got} metadata is the checkpoints' with the doubtful one's applied. */
    private boolean withDoubtful(Map<String, byte[]> got) {
        if (doubtfulMetadata == null) {
            return false;
        }
        TreeMap<String, byte[]> m = new TreeMap<>(metadata);
        m.putAll(doubtfulMetadata);
        return sameMetadata(m, got);
    }

    static boolean sameMetadata(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : a.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the database reopened after a crash against the crash rule ({@code logged}: SYNC,
     * GROUP or NO_SYNC; {@code flushedSeen}: the flushed sequence the engine reported before the
     * crash), and makes what it holds the model. Returns the sequence it recovered.
     */
    long recovered(Skipstore db, boolean logged, long flushedSeen, String where) {
        long s = db.stats().sequence();
        long lowest = logged ? acknowledged() : Math.max(floor, flushedSeen);
        assertThat(s).as("%s: recovered sequence (acknowledged %d, in doubt %s, flushed %d, checkpoint %d)", where,
                acknowledged(), inDoubt, flushedSeen, floor).isBetween(lowest, sequence);
        rollBackTo(s);
        assertHeldBy(db, where);
        Map<String, byte[]> meta = db.metadata();
        if (!sameMetadata(metadata, meta)) {
            assertThat(withDoubtful(meta)).as("%s: metadata neither the last checkpoint's nor the failed one's", where)
                    .isTrue();
            assertThat(db.stats().flushedSequence()).as("%s: the failed checkpoint's metadata without its writes", where)
                    .isGreaterThanOrEqualTo(doubtfulCheckpoint);
            metadata.putAll(doubtfulMetadata);
        }
        settle();
        return s;
    }

    /** The database holds exactly the model's entries (else: where they first differ). */
    void assertHeldBy(Skipstore db, String where) {
        List<KeyValue> got = db.list(Range.all());
        List<KeyValue> want = entries();
        if (!got.equals(want)) {
            int i = 0;
            while (i < got.size() && i < want.size() && got.get(i).equals(want.get(i))) {
                i++;
            }
            fail(where + ": the database holds " + got.size() + " entries, the model " + want.size()
                    + "; first difference at " + i + ": " + (i < got.size() ? got.get(i) : "none")
                    + " where the model has " + (i < want.size() ? want.get(i) : "none"));
        }
    }

    List<KeyValue> entries() {
        List<KeyValue> out = new ArrayList<>(map.size());
        map.forEach((k, v) -> out.add(new KeyValue(k, v)));
        return out;
    }
}
