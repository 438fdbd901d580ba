package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.Durability;

/** Commits and checkpoints show up in JFR with what they wrote and how long each phase took. */
class CommitEventTest {

    @TempDir
    Path dir;

    @Test
    void commitsAndCheckpointsAreRecorded() throws IOException {
        Path jfr = dir.resolve("commits.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("org.skipstore.Commit");
            recording.enable("org.skipstore.Checkpoint");
            recording.start();
            Pager sync = PageFiles.open(dir.resolve("a.db"), 4096, Durability.SYNC, true, Pager.Hook.NONE);
            try (WriteTxn t = sync.begin()) {
                t.write(t.allocate(3));
                t.commit();
            }
            sync.close();
            Pager group = PageFiles.open(dir.resolve("b.db"), 4096, Durability.GROUP, true, Pager.Hook.NONE);
            try (WriteTxn t = group.begin()) {
                t.allocate(0);
                t.commit();
            }
            group.close();
            recording.stop();
            recording.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        RecordedEvent commit = events.stream()
                .filter(e -> e.getEventType().getName().equals("org.skipstore.Commit"))
                .filter(e -> e.getString("durability").equals("SYNC") && e.getLong("txn") == 2)
                .findFirst().orElseThrow();
        assertThat(commit.getInt("blocks")).isEqualTo(1); // the 8-page block (the free list is in the meta)
        assertThat(commit.getLong("bytes")).isEqualTo(8 * 4096);
        assertThat(commit.getDuration("phase1").toNanos()).isPositive();
        assertThat(commit.getDuration("phase2").toNanos()).isPositive();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("org.skipstore.Checkpoint");
            assertThat(e.getLong("toTxn")).isEqualTo(2);
        });
    }

    /** A commit's blocks written ahead of it (spilled) count as written by it: the store's writes add up. */
    @Test
    void aCommitCountsTheBlocksItsTransactionWroteAhead() throws IOException {
        Path jfr = dir.resolve("spill.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("org.skipstore.Commit");
            recording.start();
            Pager spill = PageFiles.open(dir.resolve("c.db"), 4096, Durability.SYNC, true, Pager.Hook.NONE);
            try (WriteTxn t = spill.begin()) {
                t.limitBuffers(4096);
                t.write(t.allocate(2));
                t.write(t.allocate(1));
                t.spillExcept(0); // both written ahead of the commit
                assertThat(t.spilledBlocks()).isEqualTo(2);
                t.write(t.allocate(0));
                t.commit();
            }
            spill.close();
            recording.stop();
            recording.dump(jfr);
        }
        RecordedEvent commit = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("org.skipstore.Commit") && e.getLong("txn") == 2)
                .findFirst().orElseThrow();
        assertThat(commit.getInt("blocks")).isEqualTo(3);
        assertThat(commit.getLong("bytes")).as("4 + 2 pages ahead, 1 at the commit").isEqualTo(7 * 4096);
    }
}
