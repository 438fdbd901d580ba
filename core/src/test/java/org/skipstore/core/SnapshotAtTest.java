package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ConcurrentSkipList#snapshotAt}: an earlier moment read exactly, as a snapshot taken then. */
class SnapshotAtTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> contents(Snapshot s) {
        List<String> out = new ArrayList<>();
        for (Entry e : s) {
            out.add(new String(e.keyBytes(), StandardCharsets.UTF_8) + "="
                    + (e.isTombstone() ? "-" : new String(e.valueBytes(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void aSnapshotAtAnEarlierSequenceSeesWhatASnapshotTakenThenSaw() {
        try (ConcurrentSkipList m = new ConcurrentSkipList()) {
            List<Long> marks = new ArrayList<>();
            List<List<String>> seen = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String k = "k" + (i % 7);
                if (i % 5 == 4) {
                    m.delete(b(k));
                } else {
                    m.put(b(k), b("v" + i));
                }
                try (Snapshot then = m.snapshot()) {
                    assertThat(m.lastSequence()).isEqualTo(then.sequence());
                    marks.add(then.sequence());
                    seen.add(contents(then));
                }
            }
            for (int i = 0; i < marks.size(); i++) {
                try (Snapshot later = m.snapshotAt(marks.get(i))) {
                    assertThat(later.sequence()).isEqualTo(marks.get(i));
                    assertThat(contents(later)).as("at %d", marks.get(i)).isEqualTo(seen.get(i));
                }
            }
        }
    }

    @Test
    void theFutureAndNegativeSequencesAreRefused() {
        try (ConcurrentSkipList m = new ConcurrentSkipList()) {
            m.put(b("a"), b("1"));
            long last = m.lastSequence();
            assertThatThrownBy(() -> m.snapshotAt(last + 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.snapshotAt(-1)).isInstanceOf(IllegalArgumentException.class);
            try (Snapshot before = m.snapshotAt(0)) {
                assertThat(before.get(b("a"))).isNull();
            }
        }
    }
}
