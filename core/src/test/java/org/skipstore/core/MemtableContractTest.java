package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * The memtable's side of the API contract of the package comment: its refusals belong to the
 * exception family with their codes, its {@code get} returns tombstones where a Map would return
 * null, and its cursors start before the first key (the full cursor contract runs on both
 * kinds of cursor in the page store's {@code CursorContractTest}).
 */
class MemtableContractTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFullOrSealedMemtableRefusesWithTheFamilysCodes() {
        try (ConcurrentSkipList full = ConcurrentSkipList.builder().maxEntries(1)
                .whenFull(ConcurrentSkipList.WhenFull.REFUSE).build()) {
            full.put(b("a"), b("1"));
            assertThatThrownBy(() -> full.delete(b("a"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.MEMTABLE_FULL)).isInstanceOf(MemtableFullException.class);
        }
        try (ConcurrentSkipList sealed = new ConcurrentSkipList()) {
            sealed.seal().fresh().close();
            assertThatThrownBy(() -> sealed.delete(b("a"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.SEALED));
        }
    }

    @Test
    void getReturnsTheTombstoneOfADeletedKeyWhereGetLiveAndContainsKeyAnswerAsAMap() {
        try (ConcurrentSkipList m = new ConcurrentSkipList()) {
            m.put(b("k"), b("v"));
            m.delete(b("k"));
            assertThat(m.get(b("k"))).isNotNull().satisfies(e -> assertThat(e.isTombstone()).isTrue());
            assertThat(m.getLive(b("k"))).isNull();
            assertThat(m.containsKey(b("k"))).isFalse();
            assertThat(m.get(b("never"))).isNull();
            try (Snapshot s = m.snapshot()) {
                MemorySegment k = MemorySegment.ofArray(b("k"));
                assertThat(s.get(k).isTombstone()).isTrue();
                assertThat(s.getLive(k)).isNull();
                assertThat(s.containsKey(k)).isFalse();
            }
        }
    }

    @Test
    void cursorStartsBeforeTheFirstKeyAndCursorAtOnItsKey() {
        try (ConcurrentSkipList m = new ConcurrentSkipList()) {
            m.put(b("a"), b("1"));
            m.put(b("b"), b("2"));
            try (Cursor c = m.cursor(); Cursor at = m.cursorAt(b("b"))) {
                assertThat(c.isValid()).isFalse();
                assertThat(c.next()).isTrue();
                assertThat(c.keyBytes()).isEqualTo(b("a"));
                assertThat(at.isValid()).isTrue();
                assertThat(at.valueBytes()).isEqualTo(b("2"));
            }
            Snapshot s = m.snapshot();
            Cursor c = s.cursor();
            s.close();
            assertThatThrownBy(c::next).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED));
        }
    }
}
