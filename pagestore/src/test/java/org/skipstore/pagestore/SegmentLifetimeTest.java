package org.skipstore.pagestore;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the segments a transaction hands out live: by default views of the pages, readable
 * after the transaction but showing later data once the pages are reused; with
 * {@link PageStoreBuilder#checkedSegments(boolean)} copies that die with the transaction.
 */
class SegmentLifetimeTest {

    /** Values above 1 KiB (at pages up to 4 KiB) live out of line, in runs of pages of their own. */
    private static final int BIG = 5000;

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int length, int fill) {
        byte[] v = new byte[length];
        Arrays.fill(v, (byte) fill);
        return v;
    }

    private List<PageStore> stores(boolean checked) throws IOException {
        return List.of(PageStore.builder().checkedSegments(checked).open(dir.resolve("s" + checked + ".skip")),
                PageStore.builder().checkedSegments(checked).openInMemory());
    }

    /**
     * The default contract: a segment outlives its read transaction without an error, and once
     * later commits reuse its pages it shows their bytes (so callers must copy what they keep).
     * Every commit rewrites the key's partition (and its out-of-line run) copy-on-write; with the
     * reader closed the freed blocks are reused within a few commits.
     */
    @Test
    void byDefaultASegmentStaysReadableAfterItsTransactionButShowsLaterCommits() throws IOException {
        for (PageStore store : stores(false)) {
            boolean file = !store.toString().contains("in memory");
            try (store) {
                store.put(b("inline"), filled(100, 'a'));
                store.put(b("out of line"), filled(BIG, 'a'));
                MemorySegment inline;
                MemorySegment outOfLine;
                try (ReadTransaction r = store.read()) {
                    inline = r.get(MemorySegment.ofArray(b("inline")));
                    outOfLine = r.get(MemorySegment.ofArray(b("out of line")));
                }
                assertThat(inline.toArray(JAVA_BYTE)).isEqualTo(filled(100, 'a')); // no exception
                assertThat(outOfLine.toArray(JAVA_BYTE)).isEqualTo(filled(BIG, 'a'));
                int commits = 0;
                // Until either shows later bytes: a reused block is written as far as its new content
                // goes (runs of exactly the pages a partition needs), so a small inline value's old bytes
                // may survive a reuse that an out-of-line value's do not; either shows the contract.
                while (commits < 100 && Arrays.equals(inline.toArray(JAVA_BYTE), filled(100, 'a'))
                        && Arrays.equals(outOfLine.toArray(JAVA_BYTE), filled(BIG, 'a'))) {
                    commits++;
                    try (WriteTransaction w = store.write()) {
                        w.put(b("inline"), filled(100, 'b' + commits % 20));
                        w.put(b("out of line"), filled(BIG, 'b' + commits % 20));
                        w.commit();
                    }
                }
                assertThat(Arrays.equals(inline.toArray(JAVA_BYTE), filled(100, 'a'))
                        && Arrays.equals(outOfLine.toArray(JAVA_BYTE), filled(BIG, 'a')))
                        .as("both still show the first commit after %d commits", commits).isFalse();

                MemorySegment own;
                try (WriteTransaction w = store.write()) { // a view of the writer's buffer: readable after commit
                    w.put(b("own"), b("uncommitted"));
                    own = w.get(MemorySegment.ofArray(b("own")));
                    w.commit();
                }
                assertThat(own.byteSize()).isEqualTo(b("uncommitted").length);
                own.toArray(JAVA_BYTE); // no exception; its bytes may be another transaction's by now
                store.close();
                if (file) { // the mapping is gone: an exception, not a crash
                    assertThatThrownBy(() -> inline.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(() -> outOfLine.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
                }
            }
        }
    }

    /**
     * Checked mode: get, cursor and scan segments, inline and out of line, read correctly while
     * their lifetime lasts and throw once it ends: a read transaction's at close; a scan's when
     * it returns.
     */
    @Test
    void checkedSegmentsOfAReadTransactionDieWithIt() throws IOException {
        for (PageStore store : stores(true)) {
            try (store) {
                store.put(b("small"), b("small value"));
                store.put(b("big"), filled(BIG, 'x'));
                List<Seen> handedOut = new ArrayList<>();
                try (ReadTransaction r = store.read()) {
                    getAndCursor(r, List.of("small", "big"), handedOut);
                    List<Seen> scanned = scan(r);
                    assertThat(scanned).hasSize(4);
                    assertAllDead(scanned); // a scan's die when it returns...
                    assertReadable(handedOut);       // ...the others with the transaction
                }
                assertAllDead(handedOut);
                assertThat(store.get(b("big"))).isEqualTo(filled(BIG, 'x')); // byte[] reads are the caller's
            }
        }
    }

    /**
     * Checked mode in a write transaction: its segments (of its own changes and of committed
     * entries) die at its next change, at commit and at abort.
     */
    @Test
    void checkedSegmentsOfAWriteTransactionDieAtItsNextChangeCommitAndAbort() throws IOException {
        for (PageStore store : stores(true)) {
            try (store) {
                store.put(b("small"), b("small value"));
                store.put(b("big"), filled(BIG, 'x'));
                List<String> keys = List.of("small", "big", "own small", "own big");
                try (WriteTransaction w = store.write()) {
                    w.put(b("own small"), b("own value"));
                    w.put(b("own big"), filled(BIG, 'o'));
                    List<Seen> beforeChange = new ArrayList<>();
                    getAndCursor(w, keys, beforeChange);
                    List<Seen> scanned = scan(w);
                    assertThat(scanned).hasSize(8);
                    assertAllDead(scanned);
                    // a change may take a segment the transaction handed out: they die after it, not before
                    w.put(MemorySegment.ofArray(b("another")), w.get(MemorySegment.ofArray(b("own big"))));
                    assertAllDead(beforeChange);
                    assertThat(w.get(b("another"))).isEqualTo(filled(BIG, 'o'));

                    List<Seen> beforeCommit = new ArrayList<>();
                    getAndCursor(w, keys, beforeCommit);
                    w.commit();
                    assertAllDead(beforeCommit);
                }
                List<Seen> beforeAbort = new ArrayList<>();
                try (WriteTransaction w = store.write()) {
                    w.delete(b("small"));
                    getAndCursor(w, List.of("big", "own small", "own big"), beforeAbort);
                } // closed without a commit: aborted
                assertAllDead(beforeAbort);
                assertThat(store.get(b("small"))).isEqualTo(b("small value"));
            }
        }
    }

    /** Reads each key with get and with a cursor, checks the bytes and adds every segment. */
    private static void getAndCursor(Transaction t, List<String> keys, List<Seen> out) {
        try (Cursor c = t.cursor()) {
            for (String k : keys) {
                byte[] expected = t.get(b(k)); // a byte[] copy: the expected bytes
                assertThat(expected).as(k).isNotNull();
                out.add(new Seen(t.get(MemorySegment.ofArray(b(k))), expected));
                assertThat(c.seek(b(k))).isTrue();
                out.add(new Seen(c.key(), b(k)));
                out.add(new Seen(c.value(), expected));
            }
        }
        assertReadable(out);
    }

    /** A full scan: checks the bytes during each call; returns the segments it was given. */
    private static List<Seen> scan(Transaction t) {
        List<Seen> seen = new ArrayList<>();
        t.scan(Range.all(), (k, v) -> {
            byte[] key = k.toArray(JAVA_BYTE);
            byte[] value = t.get(key);
            assertThat(v.toArray(JAVA_BYTE)).isEqualTo(value);
            seen.add(new Seen(k, key));
            seen.add(new Seen(v, value));
            return true;
        });
        return seen;
    }

    /** A segment handed out, and the bytes it held when it was. */
    private record Seen(MemorySegment segment, byte[] expected) {
    }

    private static void assertReadable(List<Seen> segments) {
        assertThat(segments).isNotEmpty()
                .allSatisfy(s -> assertThat(s.segment().toArray(JAVA_BYTE)).isEqualTo(s.expected()));
    }

    private static void assertAllDead(List<Seen> segments) {
        assertThat(segments).isNotEmpty().allSatisfy(s -> assertDead(s.segment()));
    }

    private static void assertDead(MemorySegment s) {
        assertThatThrownBy(() -> s.toArray(JAVA_BYTE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }
}
