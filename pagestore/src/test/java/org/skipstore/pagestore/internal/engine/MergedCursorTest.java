package org.skipstore.pagestore.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.skipstore.core.ConcurrentSkipList;
import org.skipstore.core.OrderedCursor;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.PageStore;
import org.skipstore.pagestore.ReadTransaction;

/**
 * The merged cursor's edge cases, each on layers written out by hand: no sources, empty ones,
 * every key hidden, tombstones next to a seek's target, keys that are prefixes of each other and
 * the empty key, direction switches over shadowed keys, and what happens when a source fails or
 * is closed. {@link MergedCursorModelTest} covers the random combinations.
 */
class MergedCursorTest {

    private final List<AutoCloseable> owners = new ArrayList<>();

    @AfterEach
    void closeOwners() throws Exception {
        for (AutoCloseable o : owners.reversed()) {
            o.close();
        }
    }

    /** A memtable layer: "k=v" puts a value, "k" alone deletes the key. */
    private OrderedCursor memtable(String... entries) {
        ConcurrentSkipList m = new ConcurrentSkipList();
        owners.add(m);
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq < 0) {
                m.delete(b(e));
            } else {
                m.put(b(e.substring(0, eq)), b(e.substring(eq + 1)));
            }
        }
        return m.cursor();
    }

    /** A store layer, committed: "k=v" each. */
    private OrderedCursor store(String... entries) {
        PageStore s = PageStore.builder().promotion(2).openInMemory();
        owners.add(s);
        for (String e : entries) {
            int eq = e.indexOf('=');
            s.put(b(e.substring(0, eq)), b(e.substring(eq + 1)));
        }
        ReadTransaction t = s.read();
        owners.add(t);
        return t.cursor();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** "k=v" of where the cursor is, or "-" off an entry. */
    static String at(OrderedCursor c) {
        return c.isValid() ? s(c.keyBytes()) + "=" + s(c.valueBytes()) : "-";
    }

    static List<String> forward(OrderedCursor c) {
        List<String> out = new ArrayList<>();
        for (boolean on = c.first(); on; on = c.next()) {
            out.add(at(c));
        }
        return out;
    }

    static List<String> backward(OrderedCursor c) {
        List<String> out = new ArrayList<>();
        for (boolean on = c.last(); on; on = c.prev()) {
            out.add(at(c));
        }
        return out;
    }

    static void assertEmpty(OrderedCursor c) {
        assertThat(c.next()).isFalse();
        assertThat(c.prev()).isFalse();
        assertThat(c.first()).isFalse();
        assertThat(c.last()).isFalse();
        assertThat(c.seek(b(""))).isFalse();
        assertThat(c.seekFloor(b("\u00ff\u00ff"))).isFalse();
        assertThat(c.isValid()).isFalse();
        assertThatThrownBy(c::key).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(c::valueBytes).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void withoutSourcesItIsEmptyAndStillClosesOnce() {
        MergedCursor c = new MergedCursor(List.of());
        assertEmpty(c);
        c.close();
        c.close();
        assertThatThrownBy(c::next).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
    }

    @Test
    void emptySourcesMakeAnEmptyView() {
        try (MergedCursor c = new MergedCursor(List.of(memtable(), memtable(), store()))) {
            assertEmpty(c);
        }
    }

    @Test
    void whenEveryKeyIsDeletedNothingIsSeenFromAnyWhere() {
        try (MergedCursor c = new MergedCursor(List.of(memtable("a", "c", "e"), memtable("b", "d", "x=1", "x"),
                store("a=1", "b=2", "c=3", "d=4", "e=5")))) {
            assertEmpty(c);
            assertThat(c.seek(b("c"))).isFalse();
            assertThat(c.prev()).as("after the last: prev looks for the last and finds none").isFalse();
            assertThat(c.seekFloor(b("c"))).isFalse();
            assertThat(c.next()).as("before the first: next looks for the first").isFalse();
        }
    }

    @Test
    void theNewestSourceWinsAndItsTombstoneHidesTheKey() {
        try (MergedCursor c = new MergedCursor(List.of(memtable("b=new", "d"), memtable("b=mid", "d=mid", "e=mid"),
                store("a=old", "b=old", "c=old", "d=old")))) {
            assertThat(forward(c)).containsExactly("a=old", "b=new", "c=old", "e=mid");
            assertThat(backward(c)).containsExactly("e=mid", "c=old", "b=new", "a=old");
        }
    }

    @Test
    void aSeekOnATombstonedKeyLandsOnItsLiveNeighbours() {
        // b and d deleted above values below; their neighbours held by several sources
        try (MergedCursor c = new MergedCursor(List.of(memtable("a=A2", "b", "c=C2", "d"),
                store("a=A", "b=B", "c=C", "d=D", "e=E")))) {
            assertThat(c.seek(b("b"))).isTrue();
            assertThat(at(c)).isEqualTo("c=C2");
            assertThat(c.seekFloor(b("b"))).isTrue();
            assertThat(at(c)).isEqualTo("a=A2");
            assertThat(c.seek(b("d"))).isTrue();
            assertThat(at(c)).isEqualTo("e=E");
            assertThat(c.seekFloor(b("d"))).isTrue();
            assertThat(at(c)).isEqualTo("c=C2");
            // and from there across the hidden keys both ways
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("a=A2");
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("c=C2");
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("e=E");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("c=C2");
            // a tombstone at either end
            assertThat(c.seekFloor(b("a"))).isTrue();
            assertThat(at(c)).isEqualTo("a=A2");
            assertThat(c.seek(b("e\u0000"))).isFalse();
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("e=E");
        }
    }

    @Test
    void keysThatArePrefixesOfEachOtherAndTheEmptyKeyKeepUnsignedOrder() {
        try (MergedCursor c = new MergedCursor(List.of(memtable("ab=3", "\u0080=6", "=0"),
                memtable("a\u0000=2", "abc=4"), store("=stale", "a=1", "\u007f=5", "\u00ff=7", "\u00ff\u0000=8")))) {
            List<String> all = List.of("=0", "a=1", "a\u0000=2", "ab=3", "abc=4", "\u007f=5", "\u0080=6", "\u00ff=7",
                    "\u00ff\u0000=8");
            assertThat(forward(c)).isEqualTo(all);
            assertThat(backward(c)).isEqualTo(all.reversed());
            assertThat(c.seek(b(""))).isTrue();
            assertThat(at(c)).isEqualTo("=0");
            assertThat(c.seekFloor(b(""))).isTrue();
            assertThat(at(c)).isEqualTo("=0");
            assertThat(c.seek(b("a\u0000\u0000"))).isTrue();
            assertThat(at(c)).isEqualTo("ab=3");
            assertThat(c.seekFloor(b("ab\u0000"))).isTrue();
            assertThat(at(c)).isEqualTo("ab=3");
            assertThat(c.seekFloor(b("a\u0000\u0000"))).isTrue();
            assertThat(at(c)).isEqualTo("a\u0000=2");
        }
    }

    @Test
    void theEmptyKeyDeletedAboveIsGoneAndAFloorBelowEverythingIsBeforeTheFirst() {
        try (MergedCursor c = new MergedCursor(List.of(memtable(""), store("=x", "a=A")))) {
            assertThat(c.seekFloor(MemorySegment.ofArray(b("")))).isFalse();
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("a=A");
            assertThat(c.prev()).isFalse();
            assertThat(c.seek(b(""))).isTrue();
            assertThat(at(c)).isEqualTo("a=A");
        }
    }

    @Test
    void aDirectionSwitchRepositionsEverySourceAroundTheCurrentKey() {
        // each source holds keys on both sides of c; b is shadowed, d is deleted above
        try (MergedCursor c = new MergedCursor(List.of(memtable("b=B2", "d", "f=F2"), memtable("a=A1", "c=C1", "e=E1"),
                store("b=B0", "c=C0", "d=D0", "g=G0")))) {
            assertThat(c.seek(b("c"))).isTrue();
            assertThat(at(c)).isEqualTo("c=C1");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("b=B2");
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("c=C1");
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("e=E1");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("c=C1");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("b=B2");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("a=A1");
            assertThat(c.prev()).isFalse();
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("a=A1");
            assertThat(c.last()).isTrue();
            assertThat(at(c)).isEqualTo("g=G0");
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("f=F2");
            assertThat(c.next()).isTrue();
            assertThat(at(c)).isEqualTo("g=G0");
            assertThat(c.next()).isFalse();
            assertThat(c.prev()).isTrue();
            assertThat(at(c)).isEqualTo("g=G0");
        }
    }

    @Test
    void theViewsAreTheWinnersAndReadOnly() {
        try (MergedCursor c = new MergedCursor(List.of(memtable("k=new"), store("k=old")))) {
            assertThat(c.next()).isTrue();
            assertThat(c.key().isReadOnly()).isTrue();
            assertThat(c.value().isReadOnly()).isTrue();
            assertThat(s(c.value().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))).isEqualTo("new");
        }
    }

    @Test
    void aSourceClosedUnderneathPassesItsClosedThroughAndTheCursorIsBeforeTheFirst() {
        ConcurrentSkipList m = new ConcurrentSkipList();
        m.put(b("a"), b("1"));
        m.put(b("c"), b("3"));
        OrderedCursor mc = m.cursor();
        try (MergedCursor c = new MergedCursor(List.of(mc, store("b=2")))) {
            assertThat(c.next()).isTrue();
            m.close();
            SkipstoreException own = catchClosed(mc::first);
            SkipstoreException passed = catchClosed(c::next);
            assertThat(passed.getMessage()).isEqualTo(own.getMessage());
            assertThat(c.isValid()).isFalse();
            catchClosed(c::last);
        }
    }

    @Test
    void closeClosesEverySourceEvenWhenOneThrows() {
        OrderedCursor first = memtable("a=1");
        OrderedCursor last = store("b=2");
        RuntimeException boom = new IllegalStateException("boom");
        RuntimeException boom2 = new IllegalStateException("boom2");
        MergedCursor c = new MergedCursor(List.of(failingOnClose(first, boom), failingOnClose(memtable(), boom2), last));
        assertThat(c.next()).isTrue();
        assertThatThrownBy(c::close).isSameAs(boom).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(boom2));
        catchClosed(first::next);
        catchClosed(last::next);
        catchClosed(c::next);
        c.close(); // once only: nothing thrown again
    }

    private static SkipstoreException catchClosed(ThrowingCall call) {
        try {
            call.run();
        } catch (SkipstoreException e) {
            assertThat(e.problem()).isEqualTo(Problem.CLOSED);
            return e;
        }
        throw new AssertionError("no CLOSED");
    }

    @FunctionalInterface
    interface ThrowingCall {
        Object run();
    }

    /** {@code c}, whose close closes it and then throws {@code e}. */
    private static OrderedCursor failingOnClose(OrderedCursor c, RuntimeException e) {
        return (OrderedCursor) java.lang.reflect.Proxy.newProxyInstance(OrderedCursor.class.getClassLoader(),
                new Class<?>[] {OrderedCursor.class}, (proxy, method, args) -> {
                    Object out;
                    try {
                        out = method.invoke(c, args);
                    } catch (java.lang.reflect.InvocationTargetException ite) {
                        throw ite.getCause();
                    }
                    if (method.getName().equals("close")) {
                        throw e;
                    }
                    return out;
                });
    }
}
