package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.Pager;

/**
 * Recovery that falls back past a newer meta slot says so: in the stats, as a JFR event (and a
 * log warning, not asserted here); a clean reopen says nothing.
 */
class RecoveryReportTest {

    static final String EVENT = "org.skipstore.RecoveryFallback";

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A store with k1..k3, each put its own commit, k2's made durable by sync() (NO_SYNC falls
     * back to the last durable commit, the base); returns the transaction of the last.
     */
    private long threeCommits(Path file, Durability mode) throws IOException {
        try (PageStore store = PageStore.builder().durability(mode).open(file)) {
            store.put(b("k1"), b("v1"));
            store.put(b("k2"), b("v2"));
            store.sync();
            store.put(b("k3"), b("v3"));
            return store.stats().lastCommit();
        }
    }

    /** The page size recorded in the file, and the slot (0 or 1) of the meta with the higher txn. */
    private static int[] newestSlot(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(head, 0);
        int pageSize = head.getInt(12);
        long txn0 = head.getLong(16);
        head.clear();
        ch.read(head, pageSize);
        long txn1 = head.getLong(16);
        return new int[] {pageSize, txn1 > txn0 ? 1 : 0};
    }

    private static void flipByte(FileChannel ch, long at) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        ch.read(one, at);
        one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
        ch.write(one, at);
    }

    /** Opens {@code file} with a JFR recording of the fallback event; returns those events. */
    private List<RecordedEvent> reopenRecording(Path file, StoreCheck check) throws IOException {
        Path jfr = dir.resolve("recovery-" + System.nanoTime() + ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable(EVENT);
            recording.start();
            try (PageStore store = PageStore.open(file)) {
                check.accept(store);
            }
            recording.stop();
            recording.dump(jfr);
        }
        return RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals(EVENT)).toList();
    }

    interface StoreCheck {
        void accept(PageStore store) throws IOException;
    }

    @Test
    void aDamagedNewestMetaFallsBackToThePreviousCommitAndSaysSo() throws IOException {
        Path file = dir.resolve("damaged.skip");
        long last = threeCommits(file, Durability.SYNC);
        int slot;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int[] newest = newestSlot(ch);
            slot = newest[1];
            flipByte(ch, (long) slot * newest[0] + 100); // in the roots: the meta fails its own CRC
        }
        List<RecordedEvent> events = reopenRecording(file, store -> {
            assertThat(store.get(b("k3"))).isNull(); // the last commit is lost ...
            assertThat(store.get(b("k2"))).isEqualTo(b("v2"));
            assertThat(store.stats().lastCommit()).isEqualTo(last - 1);
            store.verify();
            // ... and the store says so
            Recovery r = store.recovery().orElseThrow();
            assertThat(r.slot()).isEqualTo(slot);
            assertThat(r.skippedTxn()).isEqualTo(last);
            assertThat(r.recoveredTxn()).isEqualTo(last - 1);
            assertThat(r.cause()).isEqualTo(Recovery.Cause.DAMAGED_META);
            assertThat(r.message()).contains("meta slot " + slot).contains("is damaged")
                    .contains("fails its own checksum").contains("Transaction " + last + " is lost");
            assertThat(store.stats().recovery()).isEqualTo(r);
        });
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getInt("slot")).isEqualTo(slot);
            assertThat(e.getLong("fromTxn")).isEqualTo(last);
            assertThat(e.getLong("toTxn")).isEqualTo(last - 1);
            assertThat(e.getString("cause")).isEqualTo("DAMAGED_META");
            assertThat(e.getString("reason")).contains("damaged").contains(file.toString());
        });
    }

    @Test
    void anUnforcedCommitThatDidNotReachTheDiskWholeIsReportedAsSuch() throws IOException {
        Path file = dir.resolve("torn.skip");
        long last = threeCommits(file, Durability.NO_SYNC);
        int slot;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int[] newest = newestSlot(ch);
            slot = newest[1];
            ByteBuffer record = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(record, (long) slot * newest[0] + 56); // the meta's commit record block
            long recordPage = record.getLong(0);
            assertThat(recordPage).isGreaterThan(1);
            flipByte(ch, recordPage * newest[0]); // as if that block had not been written back
        }
        List<RecordedEvent> events = reopenRecording(file, store -> {
            assertThat(store.get(b("k3"))).isNull();
            assertThat(store.get(b("k2"))).isEqualTo(b("v2"));
            store.verify();
            Recovery r = store.stats().recovery();
            assertThat(r.cause()).isEqualTo(Recovery.Cause.INCOMPLETE_COMMIT);
            assertThat(r.skippedTxn()).isEqualTo(last);
            assertThat(r.recoveredTxn()).isEqualTo(last - 1);
            assertThat(r.message()).contains("did not reach the disk whole").contains("commit record fails its CRC")
                    .doesNotContain("is damaged:");
        });
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getInt("slot")).isEqualTo(slot);
            assertThat(e.getLong("fromTxn")).isEqualTo(last);
            assertThat(e.getLong("toTxn")).isEqualTo(last - 1);
            assertThat(e.getString("cause")).isEqualTo("INCOMPLETE_COMMIT");
            assertThat(e.getString("reason")).contains("did not reach the disk whole");
        });
    }

    @Test
    void aCleanReopenReportsNothing() throws IOException {
        Path file = dir.resolve("clean.skip");
        long last = threeCommits(file, Durability.NO_SYNC);
        List<RecordedEvent> events = reopenRecording(file, store -> {
            assertThat(store.stats().lastCommit()).isEqualTo(last);
            assertThat(store.recovery()).isEmpty();
            assertThat(store.stats().recovery()).isNull();
        });
        assertThat(events).isEmpty();
    }

    @Test
    void aSlotNeverWrittenIsNotReported() throws IOException {
        Path file = dir.resolve("fresh.skip");
        // A bare pager's store has one commit, in slot 1: slot 0 is all zeros until the second.
        PageFiles.open(file, 4096, Durability.SYNC, true, Pager.Hook.NONE).close();
        try (Pager p = PageFiles.open(file, 4096, Durability.SYNC, false, Pager.Hook.NONE)) {
            assertThat(p.committed().txnId).isEqualTo(1);
            assertThat(p.recovery()).isNull();
            assertThat(p.stats().recovery()).isNull();
        }
    }

    @Test
    void aSlotOverwrittenWithGarbageIsReportedAsDamagedWithItsTransactionUnknown() throws IOException {
        Path file = dir.resolve("garbage.skip");
        long last = threeCommits(file, Durability.SYNC);
        int slot;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int[] newest = newestSlot(ch);
            slot = newest[1];
            byte[] junk = new byte[newest[0]];
            new SplittableRandom(1).nextBytes(junk);
            ch.write(ByteBuffer.wrap(junk), (long) slot * newest[0]);
        }
        List<RecordedEvent> events = reopenRecording(file, store -> {
            assertThat(store.stats().lastCommit()).isEqualTo(last - 1);
            Recovery r = store.recovery().orElseThrow();
            assertThat(r.cause()).isEqualTo(Recovery.Cause.DAMAGED_META);
            assertThat(r.skippedTxn()).isEqualTo(-1);
            assertThat(r.message()).contains("neither a meta page nor zeros").contains("is unknown");
        });
        assertThat(events).singleElement().satisfies(e -> assertThat(e.getLong("fromTxn")).isEqualTo(-1));
    }
}
