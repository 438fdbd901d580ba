package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/** The engine through its public API: writes, reads, flushes, checkpoints, reopen, refusals. */
class SkipstoreTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static SkipstoreBuilder small() {
        // NO_SYNC where durability is not the point: a force a put would make the test wait on the disk
        return Skipstore.builder().memtableBytes(1 << 20).logSegmentBytes(64 << 10).durability(WriteDurability.NO_SYNC);
    }

    @Test
    void putGetDeleteAndBatchesAcrossAFlushAndAReopen() {
        Path d = dir.resolve("db");
        try (Skipstore db = Skipstore.open(d)) {
            db.put(b("a"), b("1"));
            db.put(b("b"), b("2"));
            db.delete(b("a"));
            db.write(new WriteBatch().put(b("c"), b("3")).put(b("d"), b("4")).delete(b("b")));
            assertThat(db.get(b("a"))).isNull();
            assertThat(s(db.get(b("c")))).isEqualTo("3");
            db.flush();
            assertThat(db.stats().flushes()).isEqualTo(1);
            db.put(b("e"), b("5"));
            db.delete(b("d"));
            assertThat(keys(db)).containsExactly("c", "e");
        }
        try (Skipstore db = Skipstore.open(d)) {
            assertThat(keys(db)).containsExactly("c", "e");
            assertThat(db.stats().replayedRecords()).isEqualTo(2);
            assertThat(s(db.get(b("e")))).isEqualTo("5");
            assertThat(db.get(b("d"))).isNull();
        }
    }

    static List<String> keys(Skipstore db) {
        try (Stream<KeyValue> s = db.stream(Range.all())) {
            return s.map(kv -> s(kv.key())).toList();
        }
    }

    @Test
    void aBatchWithRoomReservedWritesAsAnyOtherAndGrowsPastIt() {
        assertThatThrownBy(() -> new WriteBatch(-1)).isInstanceOf(IllegalArgumentException.class);
        try (Skipstore db = small().open(dir)) {
            WriteBatch batch = new WriteBatch(64); // room for about two of these: grows five times
            for (int i = 0; i < 100; i++) {
                batch.put(b("k" + i), b("value " + i));
            }
            db.write(batch.delete(b("k7")));
            for (int i = 0; i < 100; i++) {
                assertThat(db.get(b("k" + i))).isEqualTo(i == 7 ? null : b("value " + i));
            }
            db.write(new WriteBatch(0).put(b("k7"), b("back"))); // no room reserved at all
            assertThat(db.get(b("k7"))).isEqualTo(b("back"));
        }
    }

    @Test
    void manyMemtablesFlushInTheBackgroundAndEverythingStaysReadable() {
        try (Skipstore db = small().open(dir)) {
            int n = 40_000;
            for (int i = 0; i < n; i++) {
                db.put(b(String.format("k%08d", i * 7919 % n)), new byte[100]);
            }
            assertThat(db.stats().flushes() + db.stats().sealedMemtables()).isGreaterThan(1);
            for (int i = 0; i < n; i += 97) {
                assertThat(db.get(b(String.format("k%08d", i)))).hasSize(100);
            }
            try (OrderedCursor c = db.cursor()) {
                int count = 0;
                while (c.next()) {
                    count++;
                }
                assertThat(count).isEqualTo(n);
            }
            assertThat(db.stats().peakMemtableBytes()).isLessThanOrEqualTo(3L << 20);
        }
    }

    @Test
    void aSnapshotStaysAsItWasThroughWritesAndFlushes() {
        try (Skipstore db = small().open(dir)) {
            db.put(b("k"), b("old"));
            try (DbSnapshot snap = db.snapshot()) {
                db.put(b("k"), b("new"));
                db.put(b("x"), b("1"));
                db.flush();
                for (int i = 0; i < 20_000; i++) {
                    db.put(b("f" + i), new byte[100]);
                }
                db.flush();
                assertThat(s(snap.get(b("k")))).isEqualTo("old");
                assertThat(snap.get(b("x"))).isNull();
                assertThat(snap.list(Range.all())).hasSize(1);
            }
            assertThat(s(db.get(b("k")))).isEqualTo("new");
        }
    }

    @Test
    void checkpointMetadataIsCommittedWithTheDataAndSurvivesReopen() {
        try (Skipstore db = small().durability(WriteDurability.NO_LOG).open(dir)) {
            db.put(b("a"), b("1"));
            db.checkpoint(Map.of("offset", b("42")));
            assertThat(s(db.metadata().get("offset"))).isEqualTo("42");
            db.put(b("b"), b("2"));
            db.crash();
        }
        try (Skipstore db = small().durability(WriteDurability.NO_LOG).open(dir)) {
            assertThat(s(db.metadata().get("offset"))).isEqualTo("42");
            assertThat(s(db.get(b("a")))).isEqualTo("1");
            assertThat(db.get(b("b"))).isNull(); // after the checkpoint, no log: lost in the crash
            assertThatThrownBy(() -> db.checkpoint(Map.of("skipstore.x", b("1"))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aCrashLosesNoAcknowledgedWriteInTheLoggedModes() {
        for (WriteDurability d : List.of(WriteDurability.SYNC, WriteDurability.GROUP, WriteDurability.NO_SYNC)) {
            Path p = dir.resolve(d.name());
            try (Skipstore db = small().durability(d).open(p)) {
                for (int i = 0; i < 5000; i++) {
                    db.put(b("k" + i), b("v" + i));
                }
                db.crash();
            }
            try (Skipstore db = small().durability(d).open(p)) {
                for (int i = 0; i < 5000; i++) {
                    assertThat(s(db.get(b("k" + i)))).as("%s k%d", d, i).isEqualTo("v" + i);
                }
            }
        }
    }

    @Test
    void filesAreOwnerOnlyAndASecondOpenIsRefused() throws Exception {
        Path d = dir.resolve("db");
        try (Skipstore db = Skipstore.open(d)) {
            db.put(b("a"), b("1"));
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.toList()) {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("%s", f)
                            .isEqualTo("rw-------");
                }
            }
            assertThatThrownBy(() -> Skipstore.open(d)).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
        }
    }

    @Test
    void refusalsAtTheCall() {
        try (Skipstore db = small().open(dir)) {
            assertThatThrownBy(() -> db.put(new byte[db.maxKeyBytes() + 1], b("v")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.put(b("k"), new byte[1 << 20])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.put(null, b("v"))).isInstanceOf(NullPointerException.class);
            db.close();
            assertThatThrownBy(() -> db.put(b("k"), b("v"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            assertThatThrownBy(() -> db.get(b("k"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        }
    }
}
