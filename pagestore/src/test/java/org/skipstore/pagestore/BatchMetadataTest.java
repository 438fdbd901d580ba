package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.skipstore.pagestore.SkipstoreTest.b;
import static org.skipstore.pagestore.SkipstoreTest.s;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commit metadata that rides in a batch ({@link WriteBatch#putMetadata}): read back with the
 * batch's writes, durable as they are in each mode, refused at the call when it could not be
 * committed. (Crashes at every point, in every mode, are {@code SkipstoreModelTest}'s; a reader
 * never seeing the metadata before the write is jcstress's {@code MetadataWithItsBatchTest}.)
 */
class BatchMetadataTest {

    @TempDir
    Path dir;

    @Test
    void aBatchsMetadataIsReadBackWithItsWritesAndALaterBatchReplacesIt() {
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.NO_SYNC).open(dir)) {
            db.write(new WriteBatch().put(b("k"), b("1")).putMetadata("offset", b("10")));
            assertThat(s(db.metadata().get("offset"))).isEqualTo("10");
            db.checkpoint(Map.of("other", b("x")));
            db.write(new WriteBatch().putMetadata("offset", b("11"))); // metadata alone is a write too
            assertThat(db.metadata()).containsOnlyKeys("offset", "other");
            assertThat(s(db.metadata().get("offset"))).isEqualTo("11");
            db.checkpoint(Map.of("offset", b("12"))); // a checkpoint after the batch wins
            assertThat(s(db.metadata().get("offset"))).isEqualTo("12");
        }
    }

    /** The values handed out are copies: changing one changes neither what is read next nor what is flushed. */
    @Test
    void theMetadataReadIsTheCallersToChange() {
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.NO_LOG).open(dir)) {
            db.write(new WriteBatch().putMetadata("offset", b("10")));
            db.metadata().get("offset")[0] = 'X'; // the active memtable's
            assertThat(s(db.metadata().get("offset"))).isEqualTo("10");
            db.flush();
            db.metadata().get("offset")[0] = 'Y'; // the store's
            assertThat(s(db.metadata().get("offset"))).isEqualTo("10");
        }
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.NO_LOG).open(dir)) {
            assertThat(s(db.metadata().get("offset"))).isEqualTo("10");
        }
    }

    @Test
    void loggedTheMetadataSurvivesACrashWithItsBatch() {
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.SYNC).open(dir)) {
            db.write(new WriteBatch().put(b("k"), b("1")).putMetadata("offset", b("1")));
            db.write(new WriteBatch().put(b("k"), b("2")).putMetadata("offset", b("2")));
            db.crash();
        }
        try (Skipstore db = Skipstore.open(dir)) {
            assertThat(db.stats().replayedRecords()).isEqualTo(2);
            assertThat(s(db.get(b("k")))).isEqualTo("2");
            assertThat(s(db.metadata().get("offset"))).isEqualTo("2");
        }
    }

    @Test
    void withoutALogTheMetadataIsDurableWithTheFlushThatHoldsItsBatchAndNotBefore() {
        SkipstoreBuilder noLog = Skipstore.builder().durability(WriteDurability.NO_LOG);
        try (Skipstore db = noLog.open(dir)) {
            db.write(new WriteBatch().put(b("k"), b("1")).putMetadata("offset", b("1")));
            db.flush();
            db.write(new WriteBatch().put(b("k"), b("2")).putMetadata("offset", b("2")));
            assertThat(s(db.metadata().get("offset"))).isEqualTo("2");
            db.crash(); // the second batch was never flushed: lost with its metadata
        }
        try (Skipstore db = noLog.open(dir)) {
            assertThat(s(db.get(b("k")))).isEqualTo("1");
            assertThat(s(db.metadata().get("offset"))).as("the flushed batch's, with its data").isEqualTo("1");
            db.write(new WriteBatch().put(b("k"), b("3")).putMetadata("offset", b("3")));
        } // a clean close flushes
        try (Skipstore db = noLog.open(dir)) {
            assertThat(s(db.get(b("k")))).isEqualTo("3");
            assertThat(s(db.metadata().get("offset"))).isEqualTo("3");
        }
    }

    @Test
    void metadataThatCouldNotBeCommittedIsRefusedAtTheCallAndChangesNothing() {
        try (Skipstore db = Skipstore.builder().durability(WriteDurability.NO_SYNC).open(dir)) {
            assertThatThrownBy(() -> new WriteBatch().putMetadata(Skipstore.RESERVED_PREFIX + "flushed", b("1")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the engine's");
            assertThatThrownBy(() -> new WriteBatch().putMetadata("", b("1")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new WriteBatch().putMetadata("n".repeat(256), b("1")))
                    .isInstanceOf(IllegalArgumentException.class);
            db.write(new WriteBatch().putMetadata("a", new byte[2000]));
            WriteBatch tooMuch = new WriteBatch().put(b("k"), b("v")).putMetadata("b", new byte[3000]);
            assertThatThrownBy(() -> db.write(tooMuch)).isInstanceOf(IllegalArgumentException.class);
            assertThat(db.get(b("k"))).as("nothing of the refused batch").isNull();
            assertThat(db.metadata()).containsOnlyKeys("a");
            db.flush(); // and the flusher, which would have failed on it, goes on
            db.put(b("k"), b("after"));
            db.flush();
            assertThat(s(db.get(b("k")))).isEqualTo("after");
        }
    }
}
