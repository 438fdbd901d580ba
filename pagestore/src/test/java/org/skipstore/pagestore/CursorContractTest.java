package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.core.Snapshot;
import org.skipstore.pagestore.internal.engine.MergedCursor;

/**
 * One list of behaviours, {@link OrderedCursor}'s contract, run on every kind of cursor in the
 * project: the memtable's (newest versions and a snapshot's), the page store's (a read and a
 * write transaction's) and the engine's merged cursor over both. Here rather than in core because
 * this module sees every kind.
 */
class CursorContractTest {

    /** Where a cursor comes from: given the keys (each key's value is the key in upper case), a cursor over them. */
    enum Kind {
        MEMTABLE(keys -> {
            ConcurrentSkipList m = new ConcurrentSkipList();
            keys.forEach(k -> m.put(b(k), b(k.toUpperCase())));
            return new Opened(m.cursor(), m);
        }),
        MEMTABLE_SNAPSHOT(keys -> {
            ConcurrentSkipList m = new ConcurrentSkipList();
            keys.forEach(k -> m.put(b(k), b(k.toUpperCase())));
            Snapshot s = m.snapshot();
            m.put(b("zz-after-the-snapshot"), b("x")); // not seen
            return new Opened(s.cursor(), s, m);
        }),
        STORE_READ(keys -> {
            PageStore store = PageStore.builder().promotion(2).openInMemory(); // several partitions
            keys.forEach(k -> store.put(b(k), b(k.toUpperCase())));
            ReadTransaction t = store.read();
            return new Opened(t.cursor(), t, store);
        }),
        STORE_WRITE(keys -> {
            PageStore store = PageStore.builder().promotion(2).openInMemory();
            WriteTransaction t = store.write();
            keys.forEach(k -> t.put(b(k), b(k.toUpperCase()))); // uncommitted: its own changes
            return new Opened(t.cursor(), t, store);
        }),
        MERGED(keys -> {
            // the same entries through the engine's layers, hiding what lies below: stale values
            // and deleted keys in the store, shadowed values and tombstones in the memtables
            PageStore store = PageStore.builder().promotion(2).openInMemory();
            keys.forEach(k -> store.put(b(k), b("stale")));
            store.put(b("c"), b("deleted above"));
            ConcurrentSkipList older = new ConcurrentSkipList();
            ConcurrentSkipList newer = new ConcurrentSkipList();
            for (int i = 0; i < keys.size(); i++) {
                (i % 2 == 0 ? older : newer).put(b(keys.get(i)), b(keys.get(i).toUpperCase()));
            }
            older.delete(b("c"));
            older.put(b("o"), b("O"));
            newer.delete(b("o"));
            newer.delete(b("a")); // over nothing
            Snapshot s = newer.snapshot();
            newer.put(b("zz-after-the-snapshot"), b("x")); // not seen
            ReadTransaction t = store.read();
            return new Opened(new MergedCursor(List.of(s.cursor(), older.cursor(), t.cursor())), s, older, t, store,
                    newer);
        });

        final Function<List<String>, Opened> open;

        Kind(Function<List<String>, Opened> open) {
            this.open = open;
        }
    }

    /** A cursor and what to close after it, in order. */
    record Opened(OrderedCursor c, AutoCloseable... owners) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            c.close();
            for (AutoCloseable o : owners) {
                o.close();
            }
        }
    }

    private static final List<String> KEYS = List.of("b", "d", "f", "h", "j", "l", "n", "p");

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String key(OrderedCursor c) {
        return new String(c.keyBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNewCursorIsBeforeTheFirstEntryAndNextWalksThemAll(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(KEYS)) {
            OrderedCursor c = o.c();
            assertThat(c.isValid()).isFalse();
            assertThatThrownBy(c::key).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(c::valueBytes).isInstanceOf(NoSuchElementException.class);
            List<String> seen = new ArrayList<>();
            while (c.next()) {
                seen.add(key(c));
                assertThat(new String(c.valueBytes(), StandardCharsets.UTF_8)).isEqualTo(key(c).toUpperCase());
                assertThat(c.key().isReadOnly()).isTrue();
            }
            assertThat(seen).isEqualTo(KEYS);
            // after the last: next stays false, prev comes back to the last
            assertThat(c.isValid()).isFalse();
            assertThat(c.next()).isFalse();
            assertThatThrownBy(c::keyBytes).isInstanceOf(NoSuchElementException.class);
            assertThat(c.prev()).isTrue();
            assertThat(key(c)).isEqualTo("p");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void prevWalksBackwardsAndStopsBeforeTheFirst(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(KEYS)) {
            OrderedCursor c = o.c();
            assertThat(c.prev()).as("before the first: nothing before").isFalse();
            assertThat(c.isValid()).isFalse();
            assertThat(c.last()).isTrue();
            List<String> seen = new ArrayList<>();
            do {
                seen.add(key(c));
            } while (c.prev());
            assertThat(seen).isEqualTo(KEYS.reversed());
            assertThat(c.prev()).as("before the first, prev stays false").isFalse();
            assertThat(c.next()).as("and next goes to the first").isTrue();
            assertThat(key(c)).isEqualTo("b");
            assertThat(c.first()).isTrue();
            assertThat(key(c)).isEqualTo("b");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void seeksFindTheCeilingAndTheFloorAndLeaveTheCursorOffTheRightEnd(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(KEYS)) {
            OrderedCursor c = o.c();
            assertThat(c.seek(b("e"))).isTrue();
            assertThat(key(c)).isEqualTo("f");
            assertThat(c.seek(b("f"))).isTrue();
            assertThat(key(c)).isEqualTo("f");
            assertThat(c.seekFloor(b("g"))).isTrue();
            assertThat(key(c)).isEqualTo("f");
            assertThat(c.seekFloor(b("h"))).isTrue();
            assertThat(key(c)).isEqualTo("h");
            assertThat(c.seek(MemorySegment.ofArray(b("m")))).isTrue();
            assertThat(key(c)).isEqualTo("n");
            assertThat(c.seekFloor(MemorySegment.ofArray(b("c")))).isTrue();
            assertThat(key(c)).isEqualTo("b");
            // a seek past the last leaves the cursor after it; a floor before the first, before it
            assertThat(c.seek(b("q"))).isFalse();
            assertThat(c.next()).isFalse();
            assertThat(c.prev()).isTrue();
            assertThat(key(c)).isEqualTo("p");
            assertThat(c.seekFloor(b("a"))).isFalse();
            assertThat(c.prev()).isFalse();
            assertThat(c.next()).isTrue();
            assertThat(key(c)).isEqualTo("b");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anEmptyStateHasNoEntryAnywhere(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(List.of())) {
            OrderedCursor c = o.c();
            assertThat(c.next()).isFalse();
            assertThat(c.prev()).isFalse();
            assertThat(c.first()).isFalse();
            assertThat(c.last()).isFalse();
            assertThat(c.seek(b("a"))).isFalse();
            assertThat(c.seekFloor(b("a"))).isFalse();
            assertThat(c.isValid()).isFalse();
            assertThatThrownBy(c::value).isInstanceOf(NoSuchElementException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aClosedCursorOrOwnerThrowsClosed(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(KEYS)) {
            OrderedCursor c = o.c();
            assertThat(c.next()).isTrue();
            c.close();
            c.close(); // twice is fine
            for (ThrowingCall call : List.<ThrowingCall>of(c::next, c::prev, c::first, c::isValid, c::key,
                    () -> c.seek(b("d")))) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(SkipstoreException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
            }
        }
        try (Opened o = kind.open.apply(KEYS)) {
            o.owners()[0].close(); // the memtable, snapshot or transaction
            assertThatThrownBy(o.c()::next).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        }
    }

    /** The memtable's and the store's cursors (not the merged one) copy a key without a view: what the merged cursor compares. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"MEMTABLE", "MEMTABLE_SNAPSHOT", "STORE_READ", "STORE_WRITE"})
    void copyKeyCopiesAsMuchAsFitsAndSaysTheWholeLength(Kind kind) throws Exception {
        try (Opened o = kind.open.apply(List.of("a", "abcdef"))) {
            OrderedCursor c = o.c();
            MemorySegment buffer = Arena.ofAuto().allocate(4);
            assertThatThrownBy(() -> copyKey(c, buffer)).isInstanceOf(NoSuchElementException.class);
            assertThat(c.next()).isTrue();
            assertThat(copyKey(c, buffer)).isEqualTo(1);
            assertThat(buffer.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'a');
            assertThat(c.next()).isTrue();
            assertThat(copyKey(c, buffer)).as("the whole length, though 4 bytes fit").isEqualTo(6);
            assertThat(new String(buffer.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)).isEqualTo("abcd");
            c.close();
            assertThatThrownBy(() -> copyKey(c, buffer)).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        }
    }

    private static int copyKey(OrderedCursor c, MemorySegment dst) {
        return c instanceof Cursor s ? s.copyKey(dst) : ((org.skipstore.core.Cursor) c).copyKey(dst);
    }

    @FunctionalInterface
    interface ThrowingCall {
        Object run();
    }
}
