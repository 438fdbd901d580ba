package org.skipstore.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.skipstore.arena.ShardedArena;
import org.skipstore.core.ConcurrentSkipList.Structure;

/**
 * The skip list's contract, one thread at a time, through its public methods: the write modes,
 * versions newest first with descending stamps, reads at snapshots between versions, seeks on
 * empty and filled lists, stamping after the link and oldest pending first (a {@link WriteHook}
 * holds a write between link and stamp), the towers, and the entry limit. Every test ends with
 * the {@link Checker}.
 */
class SkipListTest {

    /**
     * Keys that the 8-byte prefix and the link's key summary alone cannot tell apart: the empty
     * key and zero bytes (prefix 0, told apart by length), a shared 8-byte prefix, keys longer
     * than 8 bytes, and bytes above 0x7F (unsigned order).
     */
    private static final byte[][] KEYS = {
        {}, {0}, {0, 0}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 1},
        bytes("prefix0"), bytes("prefix01"), bytes("prefix01A"), bytes("prefix01B"), bytes("prefix01AAAAAAAAAAAA"),
        bytes("prefix01AAAAAAAAAAAB"), {(byte) 0x80}, {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0},
    };
    /** The oracle of the order: unsigned lexicographic bytes. */
    private static final List<byte[]> SORTED = Arrays.stream(KEYS).sorted(Arrays::compareUnsigned).toList();

    private ShardedArena arena;
    private SkipList sl;

    @BeforeEach
    void open() {
        arena = ShardedArena.builder().shards(1).regions(2).build();
        sl = new SkipList(arena, 0);
    }

    @AfterEach
    void close() {
        WriteHook.install(null);
        try (ShardedArena closing = arena) {
            Checker.check(sl); // every scenario leaves a sound list
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] k) { // byte[] has no equals: compare keys as text
        return HexFormat.of().formatHex(k);
    }

    private int write(SkipList list, byte[] k, String value, int mode) {
        MemorySegment v = value == null ? null : MemorySegment.ofArray(bytes(value));
        return list.write(MemorySegment.ofArray(k), v, mode, list.splice(), 0);
    }

    private int put(byte[] k, String value) {
        return write(sl, k, value, SkipList.PUT);
    }

    private byte[] keyOf(long x) {
        return sl.chunk(x).asSlice(sl.keyOffset(x), sl.keyLength(x)).toArray(ValueLayout.JAVA_BYTE);
    }

    private String valueOf(long x) {
        MemorySegment v = sl.chunk(x).asSlice(sl.keyOffset(x) + sl.keyLength(x), sl.valueLength(x));
        return new String(v.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** The versions of {@code k}, as level 0 holds them: newest first. */
    private List<Long> versions(byte[] k) {
        List<Long> out = new ArrayList<>();
        for (long x = sl.seekKey(MemorySegment.ofArray(k)); x != 0 && sl.compareKey(x, MemorySegment.ofArray(k)) == 0;
                x = sl.next(x, 0)) {
            out.add(x);
        }
        return out;
    }

    private List<Long> level(int level) {
        List<Long> out = new ArrayList<>();
        for (long x = sl.next(sl.head(), level); x != 0; x = sl.next(x, level)) {
            out.add(x);
        }
        return out;
    }

    @Test
    void putLinksEveryKeyInUnsignedOrderAndGetFindsIt() {
        List<byte[]> shuffled = new ArrayList<>(Arrays.asList(KEYS));
        Collections.shuffle(shuffled, new Random(KEYS.length)); // not every write starts at the last insert
        for (byte[] k : shuffled) {
            assertThat(put(k, hex(k))).isEqualTo(SkipList.INSERTED);
            assertThat(hex(keyOf(sl.splice().found))).isEqualTo(hex(k));
            assertThat(sl.splice().shadowedLive).isFalse();
        }
        assertThat(level(0).stream().map(x -> hex(keyOf(x)))).containsExactlyElementsOf(
                SORTED.stream().map(SkipListTest::hex).toList());
        for (byte[] k : KEYS) {
            long x = sl.get(MemorySegment.ofArray(k), Long.MAX_VALUE);
            assertThat(x).as(hex(k)).isNotZero();
            assertThat(valueOf(x)).isEqualTo(hex(k));
            byte[] absent = Arrays.copyOf(k, k.length + 1);
            absent[k.length] = 0x7F; // no key of KEYS ends so
            assertThat(sl.get(MemorySegment.ofArray(absent), Long.MAX_VALUE)).as(hex(absent)).isZero();
        }
        assertThat(put(KEYS[0], "again")).isEqualTo(SkipList.INSERTED);
        assertThat(sl.splice().shadowedLive).isTrue();
        Structure st = Checker.check(sl);
        assertThat(st.keys()).isEqualTo(KEYS.length);
        assertThat(st.versions()).isEqualTo(KEYS.length + 1);
        assertThat(st.pending()).isZero();
    }

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(ints = {SkipList.INSERT_IF_ABSENT, SkipList.GET_OR_INSERT})
    void aConditionalWriteLeavesALiveKeyAloneButNotATombstone(int mode) {
        int refused = mode == SkipList.INSERT_IF_ABSENT ? SkipList.DUPLICATE : SkipList.FOUND;
        for (byte[] k : KEYS) {
            assertThat(write(sl, k, "first", mode)).isEqualTo(SkipList.INSERTED);
            long first = sl.splice().found;
            assertThat(write(sl, k, "second", mode)).as(hex(k)).isEqualTo(refused);
            assertThat(sl.splice().found).as("the live version").isEqualTo(first);
            assertThat(sl.splice().shadowedLive).isTrue();
            assertThat(versions(k)).containsExactly(first);
        }
        byte[] k = KEYS[8];
        assertThat(write(sl, k, null, SkipList.DELETE)).isEqualTo(SkipList.INSERTED);
        assertThat(write(sl, k, "third", mode)).as("over a tombstone").isEqualTo(SkipList.INSERTED);
        assertThat(valueOf(sl.get(MemorySegment.ofArray(k), Long.MAX_VALUE))).isEqualTo("third");
        assertThat(Checker.check(sl).versions()).isEqualTo(KEYS.length + 2);
    }

    @Test
    void deleteLinksATombstoneInFrontOfTheKey() {
        for (byte[] k : KEYS) {
            put(k, "live");
            long live = sl.splice().found;
            long before = sl.snapshotStamp();
            assertThat(write(sl, k, null, SkipList.DELETE)).isEqualTo(SkipList.INSERTED);
            long tomb = sl.splice().found;
            assertThat(sl.splice().shadowedLive).isTrue();
            assertThat(sl.isTombstone(tomb)).isTrue();
            assertThat(sl.isTombstone(live)).isFalse();
            assertThat(versions(k)).containsExactly(tomb, live);
            assertThat(sl.hasOlder(tomb)).isTrue();
            assertThat(sl.get(MemorySegment.ofArray(k), Long.MAX_VALUE)).isEqualTo(tomb);
            assertThat(sl.get(MemorySegment.ofArray(k), before)).isEqualTo(live);
            write(sl, k, null, SkipList.DELETE);
            assertThat(sl.splice().shadowedLive).as("a tombstone shadows no live version").isFalse();
        }
        byte[] absent = bytes("never written");
        write(sl, absent, null, SkipList.DELETE);
        assertThat(sl.splice().shadowedLive).isFalse();
        assertThat(sl.hasOlder(sl.splice().found)).isFalse();
        Structure st = Checker.check(sl);
        assertThat(st.liveKeys()).isZero();
        assertThat(st.keys()).isEqualTo(KEYS.length + 1);
    }

    @Test
    void versionsAreNewestFirstAndASnapshotBetweenThemSeesItsOwn() {
        int rounds = 5;
        long[][] snaps = new long[KEYS.length][rounds + 1]; // snaps[k][r]: taken before round r's write of k
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < KEYS.length; i++) { // interleaved: other keys' stamps lie between
                snaps[i][r] = sl.snapshotStamp();
                put(KEYS[i], "v" + r);
            }
        }
        for (int i = 0; i < KEYS.length; i++) {
            snaps[i][rounds] = sl.snapshotStamp();
            MemorySegment k = MemorySegment.ofArray(KEYS[i]);
            List<Long> vs = versions(KEYS[i]);
            assertThat(vs).hasSize(rounds);
            for (int r = 0; r < rounds; r++) {
                long x = vs.get(rounds - 1 - r); // round r's version
                long s = sl.stampOf(x);
                assertThat(valueOf(x)).isEqualTo("v" + r);
                assertThat(sl.hasOlder(x)).isEqualTo(r > 0);
                assertThat(s).isGreaterThanOrEqualTo(snaps[i][r]).isLessThan(snaps[i][r + 1]);
                if (r > 0) {
                    assertThat(s).as("above the older version's").isGreaterThan(sl.stampOf(vs.get(rounds - r)));
                }
                long older = r == 0 ? 0 : vs.get(rounds - r);
                assertThat(sl.get(k, snaps[i][r])).as("%s before round %d", hex(KEYS[i]), r).isEqualTo(older);
                assertThat(sl.get(k, s)).as("a snapshot at its stamp").isEqualTo(older);
                assertThat(sl.get(k, s + 1)).as("a snapshot past its stamp").isEqualTo(x);
                assertThat(sl.get(k, snaps[i][r + 1])).isEqualTo(x);
            }
        }
    }

    @Test
    void seeksOnAnEmptyListFindNothingButTheHead() {
        for (byte[] k : KEYS) {
            MemorySegment key = MemorySegment.ofArray(k);
            assertThat(sl.seekKey(key)).isZero();
            assertThat(sl.seek(key, 0)).isZero();
            assertThat(sl.get(key, Long.MAX_VALUE)).isZero();
            assertThat(sl.lastBefore(key)).isEqualTo(sl.head());
        }
        assertThat(sl.last()).isEqualTo(sl.head());
        assertThat(Checker.check(sl).versions()).isZero();
    }

    @Test
    void seeksOnAFilledListAgreeWithTheSortedKeys() {
        for (byte[] k : KEYS) {
            put(k, "old");
            put(k, "new");
        }
        List<byte[]> probes = new ArrayList<>(SORTED);
        for (byte[] k : KEYS) {
            probes.add(Arrays.copyOf(k, k.length + 1)); // right after k
            byte[] high = Arrays.copyOf(k, k.length + 1);
            high[k.length] = (byte) 0xFF;
            probes.add(high);
        }
        for (byte[] p : probes) {
            MemorySegment key = MemorySegment.ofArray(p);
            byte[] atOrAfter = SORTED.stream().filter(k -> Arrays.compareUnsigned(k, p) >= 0).findFirst().orElse(null);
            byte[] before = SORTED.stream().filter(k -> Arrays.compareUnsigned(k, p) < 0).reduce((a, b) -> b).orElse(null);
            assertThat(sl.seekKey(key)).as("seekKey %s", hex(p))
                    .isEqualTo(atOrAfter == null ? 0L : versions(atOrAfter).get(0)); // the newest version
            assertThat(sl.lastBefore(key)).as("lastBefore %s", hex(p))
                    .isEqualTo(before == null ? sl.head() : versions(before).get(1)); // the oldest version
        }
        assertThat(sl.last()).isEqualTo(versions(SORTED.get(SORTED.size() - 1)).get(1));
        for (int i = 0; i < SORTED.size(); i++) {
            MemorySegment key = MemorySegment.ofArray(SORTED.get(i));
            List<Long> vs = versions(SORTED.get(i));
            long newer = sl.stampOf(vs.get(0));
            long older = sl.stampOf(vs.get(1));
            long nextKey = i + 1 < SORTED.size() ? versions(SORTED.get(i + 1)).get(0) : 0;
            assertThat(sl.seek(key, Stamps.PENDING)).isEqualTo(vs.get(0));
            assertThat(sl.seek(key, newer)).isEqualTo(vs.get(0));
            assertThat(sl.seek(key, newer - 1)).isEqualTo(vs.get(1));
            assertThat(sl.seek(key, older)).isEqualTo(vs.get(1));
            assertThat(sl.seek(key, older - 1)).as("past every version of %s", hex(SORTED.get(i))).isEqualTo(nextKey);
        }
    }

    @Test
    void aWriteIsStampedAfterItsLinkAndAReaderMayStampItFirst() {
        byte[] k = KEYS[9];
        MemorySegment key = MemorySegment.ofArray(k);
        put(k, "old");
        long old = sl.splice().found;
        long[] seen = new long[3]; // the node linked, its stamp then, the snapshot then
        WriteHook.install(p -> {
            if (p == WriteHook.LINKED) {
                seen[0] = sl.seekKey(key);
                seen[1] = sl.stampOf(seen[0]);
                seen[2] = sl.snapshotStamp();
            }
        });
        put(k, "held");
        assertThat(seen[0]).isEqualTo(sl.splice().found);
        assertThat(seen[1]).as("linked pending").isEqualTo(Stamps.PENDING);
        assertThat(sl.stampOf(seen[0])).as("stamped after the link").isGreaterThanOrEqualTo(seen[2]);

        long[] helped = new long[2]; // what a reader at a snapshot taken then read, and the stamp it set
        WriteHook.install(p -> {
            if (p == WriteHook.LINKED) {
                helped[0] = sl.get(key, sl.snapshotStamp());
                helped[1] = sl.stampOf(sl.seekKey(key));
            }
        });
        put(k, "helped");
        long x = sl.splice().found;
        assertThat(helped[0]).as("a snapshot taken before the stamp misses the write").isEqualTo(versions(k).get(1));
        assertThat(helped[1]).as("the reader stamped it").isNotEqualTo(Stamps.PENDING);
        assertThat(sl.stampOf(x)).as("the reader's stamp stands").isEqualTo(helped[1]);
        assertThat(versions(k)).containsExactly(x, seen[0], old);
    }

    @Test
    void pendingVersionsOfAKeyAreStampedOldestFirstAndToweredBehindTheNewer() {
        // Many keys: for some, A and B below are both two levels tall or more (random heights),
        // and A's tower, linked last, must go behind B's.
        byte[][] keys = new byte[64][];
        long[] stamped = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new byte[] {0, 0, 0, (byte) i};
            put(keys[i], "stamped");
            stamped[i] = sl.splice().found;
        }
        long before = sl.snapshotStamp();
        assertThat(sl.settle(stamped[0])).as("a stamped version keeps its stamp").isEqualTo(sl.stampOf(stamped[0]));
        assertThat(sl.snapshotStamp()).as("and takes none").isEqualTo(before);
        MemorySegment[] key = new MemorySegment[1];
        long[] seen = new long[4]; // A, B, their stamps when B is linked
        int[] linked = {0};
        boolean[] reader = {false}; // whether a reader settles B, or B's own step 6 stamps A
        WriteHook.install(p -> {
            if (p == WriteHook.LINKED && ++linked[0] == 1) { // A is linked: B links in front of it
                sl.write(key[0], MemorySegment.ofArray(bytes("B")), SkipList.PUT, new SkipList.Splice(), 0);
            } else if (p == WriteHook.LINKED && linked[0] == 2) { // B is linked: neither is stamped yet
                seen[1] = sl.seekKey(key[0]);
                seen[0] = sl.next(seen[1], 0);
                seen[2] = sl.stampOf(seen[0]);
                seen[3] = sl.stampOf(seen[1]);
                if (reader[0]) {
                    assertThat(sl.settle(seen[1])).isEqualTo(sl.stampOf(seen[1]));
                }
            }
        });
        for (int i = 0; i < keys.length; i++) {
            key[0] = MemorySegment.ofArray(keys[i]);
            linked[0] = 0;
            reader[0] = i % 2 == 0;
            put(keys[i], "A");
            long a = seen[0];
            long b = seen[1];
            assertThat(valueOf(a) + valueOf(b)).isEqualTo("AB");
            assertThat(new long[] {seen[2], seen[3]}).as("both pending").containsOnly(Stamps.PENDING);
            assertThat(sl.stampOf(a)).as("the older pending version first (reader: %s)", reader[0])
                    .isGreaterThan(sl.stampOf(stamped[i])).isLessThan(sl.stampOf(b));
            assertThat(versions(keys[i])).containsExactly(b, a, stamped[i]);
        }
        assertThat(Checker.check(sl).pending()).isZero();
    }

    @Test
    void nextOnEveryLevelIsTheLevelBelowLessTheShorterTowers() {
        List<byte[]> keys = new ArrayList<>(Arrays.asList(KEYS));
        for (int i = 0; i < 600; i++) { // enough that towers of 5 and more are all but sure
            keys.add(new byte[] {0, 0, (byte) (i >>> 8), (byte) i}); // first bytes zero, as counters have
            keys.add(bytes("prefix01" + i)); // a shared prefix: the tie breaks past byte 8
        }
        Collections.shuffle(keys, new Random(keys.size()));
        for (byte[] k : keys) {
            put(k, "v");
        }
        List<Long> level0 = level(0);
        assertThat(level0).hasSize(keys.size());
        int tallest = level0.stream().mapToInt(sl::heightOf).max().orElseThrow();
        assertThat(tallest).isGreaterThan(3);
        assertThat(sl.levels()).isEqualTo(tallest);
        Structure st = Checker.check(sl);
        for (int level = 1; level < sl.levels(); level++) {
            int l = level;
            List<Long> expected = level0.stream().filter(x -> sl.heightOf(x) > l).toList();
            assertThat(level(level)).as("level %d", level).containsExactlyElementsOf(expected);
            assertThat(st.nodesPerLevel()[level]).isEqualTo(expected.size());
        }
    }

    @Test
    void reserveAndReleaseKeepTheEntryLimit() {
        assertThat(sl.reserve(Long.MAX_VALUE / 2)).as("no limit").isTrue();
        assertThat(sl.reserved()).isZero();
        SkipList limited = new SkipList(arena, 4);
        assertThat(limited.reserve(3)).isTrue();
        assertThat(limited.reserve(2)).as("3 + 2 > 4").isFalse();
        assertThat(limited.reserved()).as("a refused reserve takes nothing").isEqualTo(3);
        limited.release(3);
        assertThat(limited.reserved()).isZero();
        // A node reserved and allocated ahead is written without a second reservation.
        assertThat(limited.reserve(1)).isTrue();
        long node = limited.allocate(MemorySegment.ofArray(KEYS[4]), MemorySegment.ofArray(bytes("v")), false);
        assertThat(limited.stampOf(node)).isEqualTo(Stamps.PENDING);
        assertThat(limited.write(MemorySegment.ofArray(KEYS[4]), MemorySegment.ofArray(bytes("v")), SkipList.PUT,
                limited.splice(), node)).isEqualTo(SkipList.INSERTED);
        assertThat(limited.splice().found).isEqualTo(node);
        assertThat(limited.reserved()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(write(limited, KEYS[i], "v", SkipList.PUT)).isEqualTo(SkipList.INSERTED);
        }
        assertThat(write(limited, KEYS[0], "v", SkipList.INSERT_IF_ABSENT)).as("costs nothing").isEqualTo(SkipList.DUPLICATE);
        assertThat(write(limited, KEYS[5], "v", SkipList.PUT)).isEqualTo(SkipList.OUT_OF_MEMORY);
        assertThat(limited.reserved()).isEqualTo(4);
        assertThat(limited.reserve(1)).isFalse();
        assertThat(Checker.check(limited).versions()).isEqualTo(4);
    }
}
