package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;

/**
 * The API contract of the package comment: one unchecked exception family with its problem
 * codes, CLOSED for reads and writes of anything closed, the transaction's states, streams that
 * close what they hold, and one shape per name.
 */
class ApiContractTest {

    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void assertProblem(ThrowingCallable call, Problem problem) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SkipstoreException.class,
                e -> assertThat(e.problem()).as(e.toString()).isEqualTo(problem));
    }

    @Test
    void aClosedStoreThrowsClosedOnReadsAndWritesAlike() {
        PageStore store = PageStore.builder().openInMemory();
        store.put(b("k"), b("v"));
        store.close();
        List<ThrowingCallable> calls = List.of(() -> store.get(b("k")), () -> store.get(MemorySegment.ofArray(b("k"))),
                () -> store.containsKey(b("k")), () -> store.list(Range.all()), () -> store.stream(Range.all()),
                store::count, store::read, store::stats, store::verify, store::fileBytes,
                store::write, () -> store.put(b("k"), b("v")), () -> store.delete(b("k")));
        for (ThrowingCallable call : calls) {
            assertProblem(call, Problem.CLOSED);
        }
        store.close(); // twice is fine
    }

    @Test
    void fileSystemFailuresAreTranslatedWithTheirCause() {
        assertThatThrownBy(() -> PageStore.builder().createIfMissing(false).open(dir.resolve("missing.skip")))
                .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_FOUND))
                .hasCauseInstanceOf(NoSuchFileException.class);
        // a directory where the store should be: NOT_WRITABLE, the JDK's exception kept as the cause
        assertProblem(() -> PageStore.open(dir), Problem.NOT_WRITABLE);
    }

    @Test
    void transactionsGoThroughTheirStatesAndSayHowTheyEnded() {
        try (PageStore store = PageStore.builder().openInMemory()) {
            ReadTransaction r = store.read();
            assertThat(r.state()).isEqualTo(Transaction.State.OPEN);
            r.close();
            assertThat(r.state()).isEqualTo(Transaction.State.CLOSED);
            assertProblem(() -> r.get(b("k")), Problem.CLOSED);
            assertProblem(r::count, Problem.CLOSED);

            WriteTransaction committed = store.write();
            committed.put(b("k"), b("v"));
            committed.commit();
            assertThat(committed.state()).isEqualTo(Transaction.State.COMMITTED);
            assertThatThrownBy(() -> committed.get(b("k"))).hasMessageContaining("committed");

            WriteTransaction aborted = store.write();
            aborted.close(); // without a commit
            assertThat(aborted.state()).isEqualTo(Transaction.State.ABORTED);
            assertThatThrownBy(() -> aborted.put(b("k"), b("w"))).isInstanceOfSatisfying(SkipstoreException.class,
                    e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED)).hasMessageContaining("aborted");
            assertThat(store.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void aWriteTransactionThatAFailedPutAbortedSaysWhyAtEveryLaterCall() {
        try (PageStore store = PageStore.builder().maxSize(64 * 1024).openInMemory()) {
            store.put(b("kept"), b("1"));
            WriteTransaction txn = store.write();
            SkipstoreException failure = null;
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < 1000 && failure == null; i++) {
                byte[] v = new byte[4000];
                r.nextBytes(v);
                try {
                    txn.put(ByteBuffer.allocate(4).putInt(i).array(), v);
                } catch (SkipstoreException e) {
                    failure = e;
                }
            }
            assertThat(failure).as("the store filled up").isNotNull();
            assertThat(failure.problem()).isEqualTo(Problem.NO_SPACE);
            assertThat(txn.state()).isEqualTo(Transaction.State.FAILED);
            SkipstoreException cause = failure;
            for (ThrowingCallable call : List.<ThrowingCallable>of(() -> txn.put(b("x"), b("y")), () -> txn.get(b("kept")),
                    txn::commit, txn::cursor)) {
                assertThatThrownBy(call).isInstanceOfSatisfying(SkipstoreException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.CLOSED))
                        .hasMessageContaining("failed").hasMessageContaining("NO_SPACE").hasCause(cause);
            }
            txn.close(); // ended already: nothing to do
            assertThat(store.get(b("kept"))).as("nothing committed is lost").isEqualTo(b("1"));
            assertThat(store.count()).isEqualTo(1);
        }
    }

    @Test
    void aStreamIsTheRangeAsListWouldCopyIt() {
        try (PageStore store = PageStore.builder().promotion(3).openInMemory()) {
            try (WriteTransaction txn = store.write()) {
                for (int i = 0; i < 300; i += 3) {
                    txn.put(key(i), b("v" + i));
                }
                txn.commit();
            }
            SplittableRandom r = new SplittableRandom(5);
            try (ReadTransaction txn = store.read()) {
                for (int n = 0; n < 300; n++) {
                    byte[] from = key(r.nextInt(310));
                    byte[] to = key(r.nextInt(310));
                    Range range = switch (r.nextInt(6)) {
                        case 0 -> Range.closedOpen(from, to);
                        case 1 -> Range.closed(from, to);
                        case 2 -> Range.greaterThan(from);
                        case 3 -> Range.atMost(to);
                        case 4 -> Range.lessThan(to);
                        default -> Range.all();
                    };
                    if (r.nextBoolean()) {
                        range = range.reversed();
                    }
                    if (r.nextInt(3) == 0) {
                        range = range.limit(r.nextInt(5));
                    }
                    if (r.nextInt(4) == 0) {
                        range = range.keysOnly();
                    }
                    try (Stream<KeyValue> s = txn.stream(range)) {
                        assertThat(s.toList()).as("range %d", n).isEqualTo(txn.list(range));
                    }
                }
                try (Stream<KeyValue> s = store.stream(Range.atLeast(key(297)))) {
                    assertThat(s.toList()).containsExactly(new KeyValue(key(297), b("v297")));
                }
            }
        }
    }

    @Test
    void closingAStreamClosesItsCursorAndTheStoresReadTransaction() {
        try (PageStore store = PageStore.builder().openInMemory()) {
            for (int i = 0; i < 10; i++) {
                store.put(key(i), b("v"));
            }
            assertThat(store.pager().stats().readers()).isZero();
            Stream<KeyValue> s = store.stream(Range.all());
            Iterator<KeyValue> it = s.iterator();
            assertThat(it.next().key()).isEqualTo(key(0));
            assertThat(store.pager().stats().readers()).as("the stream's read transaction").isEqualTo(1);
            s.close();
            assertThat(store.pager().stats().readers()).as("ended by closing the stream").isZero();
            assertProblem(it::next, Problem.CLOSED);

            try (ReadTransaction txn = store.read()) {
                Stream<KeyValue> t = txn.stream(Range.all());
                Iterator<KeyValue> ti = t.iterator();
                assertThat(ti.next().key()).isEqualTo(key(0));
                t.close();
                assertThatThrownBy(ti::next).as("its cursor is closed").isInstanceOfSatisfying(SkipstoreException.class,
                        e -> assertThat(e.getMessage()).contains("cursor is closed"));
                assertThat(txn.count()).as("the transaction goes on").isEqualTo(10);
            }
        }
    }

    @Test
    void oneNameHasOneShapeOnTheStoreAndOnTransactions() {
        PageStore store = PageStore.builder().openInMemory();
        assertThat(store.put(b("k"), b("v1"))).as("new").isTrue();
        assertThat(store.put(MemorySegment.ofArray(b("k")), MemorySegment.ofArray(b("v2")))).as("replaced").isFalse();
        assertThat(store.containsKey(b("k"))).isTrue();
        assertThat(store.containsKey(MemorySegment.ofArray(b("nope")))).isFalse();
        MemorySegment copy = store.get(MemorySegment.ofArray(b("k")));
        try (WriteTransaction txn = store.write()) {
            assertThat(txn.put(b("j"), b("x"))).isTrue();
            assertThat(txn.get(MemorySegment.ofArray(b("k"))).isReadOnly()).as("a transaction's: a view").isTrue();
            txn.commit();
        }
        // Range bounds as segments are the same ranges as bounds as arrays
        assertThat(store.list(Range.closedOpen(MemorySegment.ofArray(b("j")), MemorySegment.ofArray(b("k")))))
                .isEqualTo(store.list(Range.closedOpen(b("j"), b("k")))).hasSize(1);
        assertThat(store.list(Range.atLeast(MemorySegment.ofArray(b("k"))).reversed()))
                .containsExactly(new KeyValue(b("k"), b("v2")));
        store.close();
        assertThat(copy.toArray(ValueLayout.JAVA_BYTE)).as("the store's get copies: readable after close")
                .isEqualTo(b("v2"));
    }

    @Test
    void commitMetadataIsCommittedWithTheDataReadFromSnapshotsAndRefusedWhenTooLarge() {
        try (PageStore store = PageStore.open(dir.resolve("md.skip"))) {
            try (WriteTransaction w = store.write()) {
                w.put(b("k1"), b("v1"));
                w.putMetadata("offset/0", b("17"));
                assertThat(w.metadata("offset/0")).isEqualTo(b("17")); // its own change
                w.commit();
            }
            try (ReadTransaction before = store.read()) {
                try (WriteTransaction w = store.write()) {
                    w.put(b("k2"), b("v2"));
                    w.putMetadata("offset/0", b("18"));
                    assertThatThrownBy(() -> w.putMetadata("big", new byte[5000]))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
                    assertThatThrownBy(() -> w.putMetadata("", b("x"))).isInstanceOf(IllegalArgumentException.class);
                    assertThatThrownBy(() -> w.putMetadata(null, b("x"))).isInstanceOf(NullPointerException.class);
                    assertThat(w.state()).isEqualTo(Transaction.State.OPEN); // a refused argument ends nothing
                    w.commit();
                }
                assertThat(before.metadata("offset/0")).isEqualTo(b("17")); // the snapshot's own
                assertThat(before.containsKey(b("k2"))).isFalse();
            }
            try (WriteTransaction w = store.write()) {
                w.removeMetadata("offset/0");
                w.abort(); // not committed: nothing changes
            }
            try (ReadTransaction r = store.read()) {
                assertThat(r.metadata().keySet()).containsExactly("offset/0");
                assertThat(r.metadata("offset/0")).isEqualTo(b("18"));
                assertThat(r.metadata("absent")).isNull();
                r.close();
                assertProblem(r::metadata, Problem.CLOSED);
            }
        }
        try (PageStore store = PageStore.open(dir.resolve("md.skip")); ReadTransaction r = store.read()) {
            assertThat(r.metadata("offset/0")).isEqualTo(b("18"));
        }
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }
}
