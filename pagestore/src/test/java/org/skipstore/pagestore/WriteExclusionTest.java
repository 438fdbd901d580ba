package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One write transaction at a time: on the thread that holds it, a second one (or an
 * auto-committing write, which is one) is refused, since the write lock is reentrant and both
 * would build on the same state and free the same blocks; other threads wait their turn.
 */
class WriteExclusionTest {

    @TempDir
    Path dir;

    @Test
    void aSecondWriteTransactionOnTheSameThreadIsRefusedAndTheFirstCommits() throws IOException {
        Path file = dir.resolve("a.skip");
        try (PageStore store = PageStore.open(file)) {
            store.put(b("base"), b("0"));
            try (WriteTransaction first = store.write()) {
                first.put(b("first"), b("1"));
                assertThatThrownBy(store::write).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("write transaction open already");
                first.put(b("first2"), b("2")); // the refused call left the first one alone
                first.commit();
            }
            assertThat(store.get(b("first"))).isEqualTo(b("1"));
            assertThat(store.get(b("first2"))).isEqualTo(b("2"));
            store.verify();
            try (WriteTransaction next = store.write()) { // the lock was released once, as it was taken
                next.put(b("after"), b("3"));
                next.commit();
            }
        }
        try (PageStore again = PageStore.open(file)) {
            again.verify();
            assertThat(again.count()).isEqualTo(4);
        }
    }

    @Test
    void anAutoCommittingWriteInsideAnOpenTransactionIsRefused() throws IOException {
        Path file = dir.resolve("b.skip");
        try (PageStore store = PageStore.open(file)) {
            store.put(b("gone"), b("x"));
            try (WriteTransaction txn = store.write()) {
                txn.put(b("in"), b("1"));
                assertThatThrownBy(() -> store.put(b("out"), b("2"))).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> store.delete(b("gone"))).isInstanceOf(IllegalStateException.class);
                txn.commit();
            }
            assertThat(store.get(b("in"))).isEqualTo(b("1"));
            assertThat(store.get(b("out"))).isNull();
            assertThat(store.get(b("gone"))).isEqualTo(b("x"));
            store.verify();
        }
        try (PageStore again = PageStore.open(file)) {
            again.verify();
            assertThat(again.count()).isEqualTo(2);
        }
    }

    @Test
    void anotherThreadWaitsForTheOpenTransactionAndThenLands() throws Exception {
        try (PageStore store = PageStore.open(dir.resolve("c.skip"))) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread other;
            try (WriteTransaction txn = store.write()) {
                txn.put(b("mine"), b("1"));
                other = new Thread(() -> {
                    try {
                        store.put(b("theirs"), b("2"));
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                other.start();
                while (other.getState() != Thread.State.WAITING && other.isAlive()) {
                    Thread.onSpinWait(); // until it waits for the lock (no timing is asserted)
                }
                assertThat(store.get(b("theirs"))).as("it waits, it is not refused").isNull();
                txn.commit();
            }
            other.join();
            assertThat(failed.get()).isNull();
            assertThat(store.get(b("mine"))).isEqualTo(b("1"));
            assertThat(store.get(b("theirs"))).isEqualTo(b("2"));
            store.verify();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
