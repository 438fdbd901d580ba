package org.skipstore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memtable's JFR events: a seal (automatic or not) and a span of backpressure. */
class MemtableEventsTest {

    @Test
    void anAutomaticSealAndTheBackpressureBeforeItAreRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("memtable.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("org.skipstore.MemtableSeal");
            rec.enable("org.skipstore.MemtableBackpressure");
            rec.start();
            try (ConcurrentSkipList sl = ConcurrentSkipList.builder().maxEntries(10).build()) {
                for (int i = 0; sl.put(new byte[] {(byte) i}, new byte[] {1}) == InsertResult.INSERTED; i++) {
                    // fill until the list seals itself
                }
                sl.whenSealed().join().fresh().seal().fresh().close();
                sl.successor().close();
            }
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> seals = events.stream().filter(e -> e.getEventType().getName().equals("org.skipstore.MemtableSeal")).toList();
        assertThat(seals).hasSize(2);
        assertThat(seals.stream().filter(e -> e.getBoolean("automatic")).toList()).singleElement()
                .satisfies(e -> assertThat(e.getLong("versions")).isEqualTo(10));
        assertThat(seals.stream().filter(e -> !e.getBoolean("automatic")).toList()).singleElement()
                .satisfies(e -> assertThat(e.getLong("versions")).isZero());
        List<RecordedEvent> pressure = events.stream()
                .filter(e -> e.getEventType().getName().equals("org.skipstore.MemtableBackpressure")).toList();
        assertThat(pressure).singleElement().satisfies(e -> {
            assertThat(e.getLong("entries")).isEqualTo(9);
            assertThat(e.getLong("entryLimit")).isEqualTo(10);
        });
        assertThat(Files.size(file)).isPositive();
    }
}
