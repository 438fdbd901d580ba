package org.skipstore.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * The data of the memtable benchmarks ({@link MemtableBenchmark},
 * {@link org.skipstore.bench.MemtableFootprint}): {@value #ENTRIES} distinct pseudo-random keys
 * of {@value #KEY_BYTES} bytes, each with a pseudo-random value of {@value #VALUE_BYTES} bytes,
 * the same in every run (fixed seed).
 *
 * <h2>Keys</h2>
 * Key {@code i} is 16 pseudo-random bytes whose first 8 are overwritten with the big-endian bytes
 * of {@code mix(SEED + i)}, where {@code mix} is the SplitMix64 finalizer, a bijection of
 * {@code long}. The first 8 bytes thus differ between any two keys, so the keys are distinct by
 * construction (no duplicate check, and every insert of the workload inserts), while their order
 * is as random as the rest of the bytes: index order is random key order, and inserting keys
 * {@code 0, 1, 2...} lands at random places of a sorted structure.
 *
 * <h2>Forms</h2>
 * Each form is built once per fork (at the first call), before any measurement, so that no
 * benchmark creates a key, value or segment in its loop:
 * <ul>
 *   <li>{@link #keys()} and {@link #values()}: one {@code byte[]} per key and per value, what the
 *       {@code byte[]} APIs take (and what {@code ConcurrentSkipListMap} keeps by reference);</li>
 *   <li>{@link #keySegments()} and {@link #valueSegments()}: the same bytes as slices of two big
 *       native segments, what the {@code MemorySegment} APIs take;</li>
 *   <li>{@link #probes()} and {@link #probeSegments()}: copies of the keys for point reads, in a
 *       shuffled order. Copies, so that a lookup never compares a key array with itself (which
 *       {@code Arrays.compareUnsigned} answers without reading it); shuffled, so that consecutive
 *       lookups do not reach nodes that were allocated next to each other (inserted one after the
 *       other) and the reads stay random in the structure's memory too. Each probe array is laid
 *       out in its own order, so the reader walks it sequentially.</li>
 * </ul>
 */
public final class MemtableWorkload implements AutoCloseable {

    /** Entries of the workload. */
    public static final int ENTRIES = 1_000_000;
    /** Bytes of a key. */
    public static final int KEY_BYTES = 16;
    /** Bytes of a value. */
    public static final int VALUE_BYTES = 100;
    /** Seed of the key and value bytes and of the probe order. */
    public static final long SEED = 0x5EED_5EED_1234_5678L;

    /** Key order of the peer map: unsigned lexicographic bytes, as Skipstore orders keys. */
    public static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

    private final byte[][] keys;
    private final byte[][] values;
    private final int[] probeOrder;
    private byte[][] probes;
    private Arena arena;
    private MemorySegment[] keySegments;
    private MemorySegment[] valueSegments;
    private MemorySegment[] probeSegments;

    /** Builds the {@code byte[]} keys and values of {@value #ENTRIES} entries. */
    public MemtableWorkload() {
        this(ENTRIES);
    }

    /** Builds the {@code byte[]} keys and values of the first {@code entries} entries of the workload. */
    public MemtableWorkload(int entries) {
        keys = new byte[entries][];
        values = new byte[entries][];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < entries; i++) {
            byte[] k = new byte[KEY_BYTES];
            random.nextBytes(k);
            long unique = mix(SEED + i);
            for (int b = 0; b < Long.BYTES; b++) { // big-endian: the first byte sorts first
                k[b] = (byte) (unique >>> (Long.SIZE - Byte.SIZE * (b + 1)));
            }
            byte[] v = new byte[VALUE_BYTES];
            random.nextBytes(v);
            keys[i] = k;
            values[i] = v;
        }
        probeOrder = new int[entries]; // Fisher-Yates shuffle of 0..entries-1
        for (int i = 0; i < entries; i++) {
            int j = random.nextInt(i + 1);
            probeOrder[i] = probeOrder[j];
            probeOrder[j] = i;
        }
    }

    /** SplitMix64's finalizer: a bijection of {@code long} that scatters consecutive inputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Number of entries. */
    public int size() {
        return keys.length;
    }

    /** The keys, one array each, in index (random key) order. */
    public byte[][] keys() {
        return keys;
    }

    /** The values, one array each; {@code values()[i]} belongs to {@code keys()[i]}. */
    public byte[][] values() {
        return values;
    }

    /** Copies of every key, in the shuffled probe order. */
    public synchronized byte[][] probes() {
        if (probes == null) {
            byte[][] p = new byte[keys.length][];
            for (int i = 0; i < p.length; i++) {
                p[i] = keys[probeOrder[i]].clone();
            }
            probes = p;
        }
        return probes;
    }

    /** {@link #keys()} as slices of one native segment. */
    public synchronized MemorySegment[] keySegments() {
        buildSegments();
        return keySegments;
    }

    /** {@link #values()} as slices of one native segment. */
    public synchronized MemorySegment[] valueSegments() {
        buildSegments();
        return valueSegments;
    }

    /** {@link #probes()} as slices of one native segment (not the one of {@link #keySegments()}). */
    public synchronized MemorySegment[] probeSegments() {
        buildSegments();
        return probeSegments;
    }

    private void buildSegments() {
        if (keySegments != null) {
            return;
        }
        // Shared: in the 2-thread benchmarks, threads other than the one that built them read them.
        arena = Arena.ofShared();
        keySegments = slices(arena, keys, null, KEY_BYTES);
        valueSegments = slices(arena, values, null, VALUE_BYTES);
        probeSegments = slices(arena, keys, probeOrder, KEY_BYTES);
    }

    /** Slice {@code i} of one new segment holds {@code arrays[order == null ? i : order[i]]}. */
    private static MemorySegment[] slices(Arena arena, byte[][] arrays, int[] order, int bytes) {
        MemorySegment all = arena.allocate((long) arrays.length * bytes, 64);
        MemorySegment[] slices = new MemorySegment[arrays.length];
        for (int i = 0; i < slices.length; i++) {
            byte[] a = arrays[order == null ? i : order[i]];
            slices[i] = all.asSlice((long) i * bytes, bytes);
            MemorySegment.copy(MemorySegment.ofArray(a), 0, slices[i], 0, bytes);
        }
        return slices;
    }

    /** Frees the native segments: their slices become unusable. Idempotent. */
    @Override
    public synchronized void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            keySegments = null;
            valueSegments = null;
            probeSegments = null;
        }
    }

    /**
     * First index of part {@code part} when {@code n} items are split into {@code parts}
     * contiguous parts as equal as possible; part {@code parts} gives {@code n}.
     */
    static int partStart(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }
}
