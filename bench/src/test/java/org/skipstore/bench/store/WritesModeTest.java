package org.skipstore.bench.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two ways the engines without transactions take a batch ({@link KvStore.Writes}): each put
 * a write of its own, seen at once, or one batch written at the commit. What the fills compare
 * depends on it.
 */
class WritesModeTest {

    private static final byte[] VALUE = new byte[100];

    private static byte[] key(int i) {
        return new byte[] {0, 0, 0, (byte) i, '0', '0', '0', '0'};
    }

    private static long count(KvStore s) {
        try (KvStore.Reader r = s.reader()) {
            return r.scan(false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"skipstore", "rocksdb"})
    void perPutWritesEachPutAtOnce(String engine, @TempDir Path dir) throws IOException {
        try (KvStore s = Stores.open(engine, dir, KvStore.Writes.PER_PUT)) {
            s.put(key(1), VALUE);
            s.put(key(2), VALUE);
            assertEquals(2, count(s));
            s.putAndCommit(key(3), VALUE);
            s.put(key(4), VALUE);
            s.commit();
            assertEquals(4, count(s));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"skipstore", "rocksdb"})
    void batchWritesNothingBeforeTheCommit(String engine, @TempDir Path dir) throws IOException {
        try (KvStore s = Stores.open(engine, dir, KvStore.Writes.BATCH)) {
            s.put(key(1), VALUE);
            s.put(key(2), VALUE);
            assertEquals(0, count(s));
            s.putAndCommit(key(3), VALUE);
            assertEquals(3, count(s));
            s.put(key(4), VALUE);
            s.commit();
            assertEquals(4, count(s));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"skipstore", "rocksdb", "pagestore"})
    void aOnePutCommitIsSeenAtOnce(String engine, @TempDir Path dir) throws IOException {
        try (KvStore s = Stores.open(engine, dir, KvStore.Writes.GROUP)) {
            s.commitOne(key(1), VALUE);
            s.commitOne(key(2), VALUE);
            assertEquals(2, count(s));
        }
    }
}
