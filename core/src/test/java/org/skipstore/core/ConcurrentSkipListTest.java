package org.skipstore.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.core.ConcurrentSkipList.WhenFull.REFUSE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Single-threaded behaviour of {@link ConcurrentSkipList}, including each fastskip 0.1.1 defect. */
class ConcurrentSkipListTest {

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static String s(MemorySegment m) {
        return new String(m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), UTF_8);
    }

    static byte[] longKey(long i) {
        return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(i).array();
    }

    static List<String> keys(Iterable<Entry> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(s(e.key()) + (e.isTombstone() ? "(x)" : "=" + s(e.value()))));
        return out;
    }

    /**
     * A seal's successor expects keys like the sealed list's: their common prefix, or what the
     * sealed list expected when it held fewer than two keys; it orders keys without that prefix
     * as any other.
     */
    @Test
    void aSuccessorExpectsTheKeysOfTheListItReplaces() {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(1).build()) {
            for (int i = 0; i < 1000; i++) {
                sl.put(("customer-" + i).getBytes(UTF_8), new byte[8]);
            }
            ConcurrentSkipList next = sl.seal().fresh();
            try (next) {
                assertThat(new String(next.sharedKeyPrefix(), UTF_8)).isEqualTo("customer-");
                for (String k : List.of("customer-7", "account-1", "customer-", "zebra", "customer-12", "customer")) {
                    next.put(k.getBytes(UTF_8), k.getBytes(UTF_8));
                }
                List<String> keys = new ArrayList<>();
                next.forEach(e -> keys.add(new String(e.keyBytes(), UTF_8)));
                assertThat(keys).containsExactly("account-1", "customer", "customer-", "customer-12", "customer-7", "zebra");
                ConcurrentSkipList.Builder b = ConcurrentSkipList.builder();
                try (ConcurrentSkipList one = ConcurrentSkipList.builder().sharedKeyPrefix("user-".getBytes(UTF_8)).build()) {
                    one.put("user-1".getBytes(UTF_8), new byte[0]);
                    try (ConcurrentSkipList after = b.keysLike(one).build()) {
                        assertThat(new String(after.sharedKeyPrefix(), UTF_8)).isEqualTo("user-");
                    }
                }
            }
        }
        assertThatThrownBy(() -> ConcurrentSkipList.builder().sharedKeyPrefix(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ConcurrentSkipList.builder().sharedKeyPrefix(new byte[ConcurrentSkipList.MAX_KEY_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void insertGetPutDeleteBasics() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            assertThat(sl.insert(b("user:1001"), b("alice"))).isTrue();
            assertThat(sl.insert(b("user:1002"), b("bob"))).isTrue();
            assertThat(sl.tryInsert(b("user:1001"), b("mallory"))).isEqualTo(InsertResult.DUPLICATE_KEY);
            Entry e = sl.get(b("user:1001"));
            assertThat(s(e.value())).isEqualTo("alice");
            assertThat(e.isTombstone()).isFalse();
            assertThat(sl.put(b("user:1001"), b("alice2"))).isEqualTo(InsertResult.INSERTED);
            assertThat(s(sl.get(b("user:1001")).value())).isEqualTo("alice2");
            assertThat(sl.size()).isEqualTo(2);
            assertThat(sl.versionCount()).isEqualTo(3);
            assertThat(sl.delete(b("user:1001"))).isTrue();
            assertThat(sl.get(b("user:1001")).isTombstone()).isTrue();
            assertThat(sl.getLive(b("user:1001"))).isNull();
            assertThat(sl.containsKey(b("user:1001"))).isFalse();
            assertThat(sl.containsKey(b("user:1002"))).isTrue();
            assertThat(sl.size()).isEqualTo(1);
            assertThat(sl.get(b("nobody"))).isNull();
            assertThat(keys(sl)).containsExactly("user:1001(x)", "user:1002=bob");
        }
    }

    @Test
    void keysOrderAsUnsignedBytesAndTheEmptyKeyWorks() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            byte[][] keys = {{(byte) 0xff}, {}, {0x7f}, {(byte) 0x80}, {0}, {0, 0}};
            for (byte[] k : keys) {
                assertThat(sl.insert(k, new byte[] {1})).isTrue();
            }
            assertThat(sl.get(new byte[0])).isNotNull();
            List<byte[]> order = new ArrayList<>();
            sl.forEach(e -> order.add(e.keyBytes()));
            assertThat(order).containsExactly(new byte[] {}, new byte[] {0}, new byte[] {0, 0},
                    new byte[] {0x7f}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xff});
        }
    }

    @Test
    void segmentOverloadsMatchByteArrays() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList(); Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocateFrom("k");
            MemorySegment v = a.allocateFrom("v");
            assertThat(sl.insert(k, v)).isTrue();
            assertThat(sl.get(k).valueBytes()).isEqualTo(v.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertThat(sl.containsKey(b("k\0"))).isTrue();
            assertThat(sl.delete(k)).isTrue();
            assertThat(sl.containsKey(k)).isFalse();
        }
    }

    @Test
    void getIntoCopiesTheValueAndSaysWhatItFound() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList(); Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(4);
            assertThat(sl.getInto(MemorySegment.ofArray(b("k")), dst)).isEqualTo(ConcurrentSkipList.ABSENT);
            sl.put(b("k"), b("value"));
            assertThat(sl.getInto(MemorySegment.ofArray(b("k")), dst)).as("cut short").isEqualTo(5);
            assertThat(s(dst)).isEqualTo("valu");
            MemorySegment big = a.allocate(16);
            assertThat(sl.getInto(MemorySegment.ofArray(b("k")), big)).isEqualTo(5);
            assertThat(s(big.asSlice(0, 5))).isEqualTo("value");
            sl.delete(b("k"));
            assertThat(sl.getInto(MemorySegment.ofArray(b("k")), big)).isEqualTo(ConcurrentSkipList.DELETED);
        }
    }

    /** fastskip defect 2: a snapshot taken before a delete saw the tombstone. */
    @Test
    void aSnapshotTakenBeforeADeleteKeepsTheValue() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            sl.insert(b("a"), b("1"));
            sl.insert(b("b"), b("2"));
            try (Snapshot snap = sl.snapshot()) {
                sl.delete(b("a"));
                sl.put(b("b"), b("3"));
                sl.insert(b("c"), b("4"));
                assertThat(s(snap.get(b("a")).value())).isEqualTo("1");
                assertThat(snap.get(b("a")).isTombstone()).isFalse();
                assertThat(s(snap.get(b("b")).value())).isEqualTo("2");
                assertThat(snap.get(b("c"))).isNull();
                assertThat(keys(snap)).containsExactly("a=1", "b=2");
            }
            assertThat(keys(sl)).containsExactly("a(x)", "b=3", "c=4");
        }
    }

    /** fastskip defect 5: cursor() yielded the head sentinel. */
    @Test
    void cursorsNeverShowTheHeadAndMoveBothWays() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            try (Cursor empty = sl.cursor()) {
                assertThat(empty.isValid()).isFalse();
                assertThat(empty.next()).isFalse();
                assertThat(empty.prev()).isFalse();
                assertThat(empty.last()).isFalse();
            }
            for (String k : new String[] {"apple", "banana", "cherry", "date"}) {
                sl.insert(b(k), b(k.substring(0, 1)));
            }
            sl.put(b("banana"), b("B"));
            sl.delete(b("cherry"));
            try (Cursor c = sl.cursor()) {
                assertThat(c.next()).isTrue(); // from before the first key
                assertThat(s(c.key())).isEqualTo("apple");
                assertThat(c.next()).isTrue();
                assertThat(s(c.value())).isEqualTo("B");
                assertThat(c.next()).isTrue();
                assertThat(c.isTombstone()).isTrue();
                assertThat(c.next()).isTrue();
                assertThat(s(c.key())).isEqualTo("date");
                assertThat(c.next()).isFalse();
                assertThat(c.isValid()).isFalse();
                assertThat(c.last()).isTrue();
                assertThat(c.prev()).isTrue();
                assertThat(s(c.key())).isEqualTo("cherry");
                assertThat(c.prev()).isTrue();
                assertThat(s(c.key())).isEqualTo("banana");
                assertThat(s(c.value())).isEqualTo("B");
                assertThat(c.prev()).isTrue();
                assertThat(c.prev()).isFalse();
                assertThat(c.seek(b("c"))).isTrue();
                assertThat(s(c.key())).isEqualTo("cherry");
                assertThat(c.seek(b("zzz"))).isFalse();
            }
            try (Cursor c = sl.cursorAt(b("banana")); Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(4);
                assertThat(c.keyLength()).isEqualTo(6);
                assertThat(c.valueLength()).isEqualTo(1);
                assertThat(c.copyKey(buf)).isEqualTo(6);
                assertThat(s(buf)).isEqualTo("bana");
                assertThat(c.copyValue(buf)).isEqualTo(1);
                assertThat((char) buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo('B');
            }
            try (Cursor c = sl.cursorAt(b("banana"))) {
                List<String> seen = new ArrayList<>();
                for (boolean ok = c.isValid(); ok; ok = c.next()) {
                    seen.add(s(c.key()));
                }
                assertThat(seen).containsExactly("banana", "cherry", "date");
            }
        }
    }

    /** fastskip defect 6: try_insert on a sealed list reported a duplicate. */
    @Test
    void writesToASealedListReportSealed() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            sl.insert(b("k"), b("v"));
            ConcurrentSkipList.Sealed sealed = sl.seal();
            try (ConcurrentSkipList fresh = sealed.fresh()) {
                assertThat(sealed.frozen()).isSameAs(sl);
                assertThat(sl.isSealed()).isTrue();
                assertThat(sl.tryInsert(b("k"), b("v"))).isEqualTo(InsertResult.SEALED);
                assertThat(sl.tryInsert(b("new"), b("v"))).isEqualTo(InsertResult.SEALED);
                assertThat(sl.put(b("k"), b("w"))).isEqualTo(InsertResult.SEALED);
                assertThatThrownBy(() -> sl.delete(b("k"))).isInstanceOf(MemtableFullException.class)
                        .satisfies(e -> assertThat(((MemtableFullException) e).result()).isEqualTo(InsertResult.SEALED));
                assertThat(sl.getOrInsert(b("other"), b("v")).result()).isEqualTo(InsertResult.SEALED);
                assertThat(sl.getOrInsert(b("other"), b("v")).inserted()).isFalse();
                assertThatThrownBy(sl::seal).isInstanceOf(IllegalStateException.class).hasMessageContaining("already sealed");
                assertThat(keys(sl)).containsExactly("k=v");
                assertThat(fresh.isSealed()).isFalse();
                assertThat(fresh.isEmpty()).isTrue();
                assertThat(fresh.insert(b("k"), b("v2"))).isTrue();
                assertThat(fresh.maxMemoryBytes()).isEqualTo(sl.maxMemoryBytes());
            }
        }
    }

    /** fastskip defect 7: get_or_insert reported "inserted" after a tombstone or out of memory. */
    @Test
    void getOrInsertTellsTheTruth() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            ConcurrentSkipList.GetOrInsert first = sl.getOrInsert(b("k"), b("1"));
            assertThat(first.inserted()).isTrue();
            ConcurrentSkipList.GetOrInsert second = sl.getOrInsert(b("k"), b("2"));
            assertThat(second.inserted()).isFalse();
            assertThat(s(second.entry().value())).isEqualTo("1");
            sl.delete(b("k"));
            ConcurrentSkipList.GetOrInsert third = sl.getOrInsert(b("k"), b("3"));
            assertThat(third.inserted()).as("a tombstoned key counts as absent").isTrue();
            assertThat(s(sl.getLive(b("k")).value())).isEqualTo("3");
        }
        try (ConcurrentSkipList full = ConcurrentSkipList.builder().shards(1).maxEntries(1).whenFull(REFUSE).build()) {
            assertThat(full.getOrInsert(b("a"), b("1")).inserted()).isTrue();
            ConcurrentSkipList.GetOrInsert refused = full.getOrInsert(b("b"), b("2"));
            assertThat(refused.inserted()).isFalse();
            assertThat(refused.result()).isEqualTo(InsertResult.OUT_OF_MEMORY);
            assertThat(refused.entry()).isNull();
            assertThat(full.get(b("b"))).isNull();
        }
    }

    /** fastskip defect 8: the average value size returned the average key size. */
    @Test
    void averagesAreOfKeysAndOfValues() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            sl.insert(b("ab"), b("0123456789"));
            sl.insert(b("cdef"), b("01234567890123456789"));
            assertThat(sl.avgKeySize()).isEqualTo(3.0);
            assertThat(sl.avgValueSize()).isEqualTo(15.0);
            assertThat(sl.totalInserts()).isEqualTo(2);
            sl.insert(b("ab"), b("x"));
            assertThat(sl.totalInserts()).as("attempts include duplicates").isEqualTo(3);
        }
    }

    /** fastskip defect 9: a deleted key could never be inserted again. */
    @Test
    void aDeletedKeyCanBeInsertedAgain() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            sl.insert(b("k"), b("1"));
            sl.delete(b("k"));
            assertThat(sl.tryInsert(b("k"), b("2"))).isEqualTo(InsertResult.INSERTED);
            assertThat(s(sl.getLive(b("k")).value())).isEqualTo("2");
            assertThat(sl.size()).isEqualTo(1);
        }
    }

    @Test
    void deletingAnAbsentKeyIsRecorded() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            assertThat(sl.delete(b("ghost"))).isFalse();
            assertThat(sl.get(b("ghost")).isTombstone()).isTrue();
            assertThat(sl.size()).isZero();
            assertThat(keys(sl)).containsExactly("ghost(x)");
        }
    }

    @Test
    void limitsReportOutOfMemoryAndBackpressure() {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(1).maxEntries(10).whenFull(REFUSE).build()) {
            for (int i = 0; i < 10; i++) {
                assertThat(sl.insert(b("k" + i), b("v"))).isTrue();
                assertThat(sl.isUnderBackpressure()).isEqualTo(i + 1 >= 9);
            }
            assertThat(sl.tryInsert(b("k10"), b("v"))).isEqualTo(InsertResult.OUT_OF_MEMORY);
            assertThat(sl.tryInsert(b("k0"), b("v"))).as("a live key is found whatever the limits")
                    .isEqualTo(InsertResult.DUPLICATE_KEY);
            assertThatThrownBy(() -> sl.delete(b("k0"))).isInstanceOf(MemtableFullException.class);
            assertThat(sl.versionCount()).isEqualTo(10);
        }
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(2).maxMemoryBytes(64 * 1024).whenFull(REFUSE).build()) {
            int inserted = 0;
            InsertResult r;
            while ((r = sl.tryInsert(b(String.format("key%08d", inserted)), new byte[100])) == InsertResult.INSERTED) {
                inserted++;
            }
            assertThat(r).isEqualTo(InsertResult.OUT_OF_MEMORY);
            assertThat(sl.memoryReserved()).isLessThanOrEqualTo(64 * 1024);
            assertThat(sl.isUnderBackpressure()).isTrue();
            assertThat(sl.size()).isEqualTo(inserted);
            // the memtable keeps what it took: all inserted keys read back
            for (int i = 0; i < inserted; i++) {
                assertThat(sl.containsKey(b(String.format("key%08d", i)))).isTrue();
            }
        }
    }

    @Test
    void nodesBeyondTheChunksALinkCanNameReportOutOfMemoryAndLoseNothing() {
        // 4096 shards under 64 MiB give 4 KiB chunks: a node of 3 KiB per chunk, and the 8191
        // chunks a link can name fill up at about 24 MiB, well before the memory limit.
        byte[] value = new byte[3000];
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(4096).maxMemoryBytes(64 << 20).whenFull(REFUSE).build()) {
            int n = 0;
            InsertResult r;
            while ((r = sl.tryInsert(longKey(n), value)) == InsertResult.INSERTED) {
                n++;
            }
            assertThat(r).isEqualTo(InsertResult.OUT_OF_MEMORY);
            assertThat(n).isBetween(4000, 8191);
            assertThat(sl.memoryReserved()).isLessThan(64L << 20);
            assertThat(sl.size()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(sl.containsKey(longKey(i))).as("key %d", i).isTrue();
            }
            assertThat(sl.stream().count()).isEqualTo(n);
        }
    }

    @Test
    void batchesAreAdmittedWhole() {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(1).maxEntries(3).whenFull(REFUSE).build()) {
            List<Map.Entry<byte[], byte[]>> batch = List.of(Map.entry(b("a"), b("1")), Map.entry(b("b"), b("2")));
            assertThat(sl.insertBatch(batch)).containsExactly(InsertResult.INSERTED, InsertResult.INSERTED);
            assertThat(sl.insertBatch(List.of(Map.entry(b("a"), b("1"))))).containsExactly(InsertResult.DUPLICATE_KEY);
            assertThat(sl.insertBatch(List.of(Map.entry(b("c"), b("3")), Map.entry(b("d"), b("4")))))
                    .containsExactly(InsertResult.OUT_OF_MEMORY, InsertResult.OUT_OF_MEMORY);
            assertThat(sl.get(b("c"))).isNull();
            List<Entry> many = sl.getMany(List.of(b("a"), b("z"), b("b")));
            assertThat(many).hasSize(3);
            assertThat(many.get(1)).isNull();
            assertThat(s(many.get(2).value())).isEqualTo("2");
        }
    }

    @Test
    void memoryStatsAddUp() {
        try (ConcurrentSkipList sl = ConcurrentSkipList.builder().shards(1).build()) {
            long before = sl.memoryUsage();
            for (int i = 0; i < 1000; i++) {
                sl.insert(b(String.format("%016d", i)), new byte[100]);
            }
            long perEntry = (sl.memoryUsage() - before) / 1000;
            // header 24 + tower (about 1.33 levels) + 16 + 100, rounded to 8
            assertThat(perEntry).isBetween(150L, 170L);
            assertThat(sl.memoryReserved()).isGreaterThanOrEqualTo(sl.memoryUsage());
            assertThat(sl.memoryIdle()).isEqualTo(sl.memoryReserved() - sl.memoryUsage());
            assertThat(sl.memoryUtilization()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void badInputIsAClearError() {
        try (ConcurrentSkipList sl = new ConcurrentSkipList()) {
            assertThatThrownBy(() -> sl.insert((byte[]) null, b("v"))).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("key");
            assertThatThrownBy(() -> sl.put(b("k"), (byte[]) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("value");
            assertThatThrownBy(() -> sl.get((byte[]) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> sl.insert(new byte[ConcurrentSkipList.MAX_KEY_BYTES + 1], b("v")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximum");
            assertThat(sl.insert(new byte[ConcurrentSkipList.MAX_KEY_BYTES], b("v"))).isTrue();
            assertThatThrownBy(() -> ConcurrentSkipList.builder().shards(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ConcurrentSkipList.builder().maxEntries(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ConcurrentSkipList.builder().maxMemoryBytes(10).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
        }
    }

    @Test
    void everyUseAfterCloseIsClosed() {
        ConcurrentSkipList sl = new ConcurrentSkipList();
        sl.insert(b("k"), b("v"));
        Entry e = sl.get(b("k"));
        Snapshot snap = sl.snapshot();
        Cursor c = sl.cursor();
        sl.close();
        assertThatThrownBy(() -> sl.insert(b("k"), b("v"))).isInstanceOfSatisfying(SkipstoreException.class,
                x -> assertThat(x.problem()).isEqualTo(SkipstoreException.Problem.CLOSED)).hasMessageContaining("closed");
        assertThatThrownBy(() -> sl.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                x -> assertThat(x.problem()).isEqualTo(SkipstoreException.Problem.CLOSED));
        // a view of freed memory: the JDK's own exception, no API between to translate it
        assertThatThrownBy(() -> e.value().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> snap.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                x -> assertThat(x.problem()).isEqualTo(SkipstoreException.Problem.CLOSED));
        assertThatThrownBy(c::next).isInstanceOfSatisfying(SkipstoreException.class,
                x -> assertThat(x.problem()).isEqualTo(SkipstoreException.Problem.CLOSED));
        assertThatThrownBy(sl::snapshot).isInstanceOfSatisfying(SkipstoreException.class,
                x -> assertThat(x.problem()).isEqualTo(SkipstoreException.Problem.CLOSED));
        sl.close();
    }
}
