package org.skipstore.pagestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.core.SkipstoreException;
import org.skipstore.core.SkipstoreException.Problem;
import org.skipstore.pagestore.child.ChildJvm;
import org.skipstore.pagestore.child.LockProbe;
import org.skipstore.pagestore.internal.PageFiles;
import org.skipstore.pagestore.internal.StoreLock;

/**
 * An open store stays locked against every other open, in this process and in others, whatever
 * else the process does with the file. A POSIX record lock on the data file itself was dropped
 * by closing any descriptor of the file in the process: a refused second open, a
 * {@code Files.readAllBytes}, an interrupt that closed the store's channel.
 */
class StoreLockTest {

    @TempDir
    Path dir;

    @Test
    void aRefusedSecondOpenInTheProcessLeavesTheStoreLockedForOthers() throws Exception {
        Path file = dir.resolve("a.skip");
        try (PageStore store = PageStore.open(file)) {
            store.put(b("k"), b("v"));
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> PageStore.open(file)).isInstanceOfSatisfying(SkipstoreException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
            }
            assertThatThrownBy(() -> PageStore.builder().pageSize(4096).open(file))
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
            assertThat(probe(file)).as("another process").isEqualTo("LOCKED");
            store.put(b("k2"), b("v2"));
            store.verify();
        }
        assertThat(probe(file)).as("after close").isEqualTo("OPENED");
        try (PageStore again = PageStore.open(file)) {
            assertThat(again.get(b("probe"))).isNotNull();
            again.verify();
        }
    }

    @Test
    void readingTheStoreFileElsewhereInTheProcessKeepsItLocked() throws Exception {
        Path file = dir.resolve("b.skip");
        try (PageStore store = PageStore.open(file)) {
            store.put(b("k"), b("v"));
            assertThat(Files.readAllBytes(file)).isNotEmpty(); // opens and closes a descriptor of the file
            try (var ch = java.nio.channels.FileChannel.open(file)) {
                assertThat(ch.size()).isPositive();
            }
            assertThat(probe(file)).isEqualTo("LOCKED");
            assertThat(PageFiles.pageSizeOf(file)).as("a probe through a channel of its own").isEqualTo(PageStore.DEFAULT_PAGE_SIZE);
            assertThat(probe(file)).isEqualTo("LOCKED");
        }
    }

    @Test
    void aStoreWhoseChannelAnInterruptClosedStaysLockedUntilClosed() throws Exception {
        Path file = dir.resolve("c.skip");
        PageStore store = PageStore.open(file);
        try {
            store.put(b("k"), b("v"));
            Thread.currentThread().interrupt(); // the commit's write closes the channel for every thread
            try {
                assertThatThrownBy(() -> store.put(b("k2"), b("v2"))).isInstanceOf(SkipstoreException.class);
            } finally {
                Thread.interrupted();
            }
            assertThatThrownBy(() -> store.put(b("k3"), b("v3"))).as("a later write, not interrupted")
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.FAILED_WRITE))
                    .hasMessageContaining("ClosedByInterruptException");
            assertThat(probe(file)).as("the store is still open").isEqualTo("LOCKED");
            assertThat(store.get(b("k"))).isEqualTo(b("v")); // readers still read the mapping
        } finally {
            store.close();
        }
        assertThat(probe(file)).isEqualTo("OPENED");
        try (PageStore again = PageStore.open(file)) {
            assertThat(again.get(b("k"))).isEqualTo(b("v"));
            again.verify();
        }
    }

    @Test
    void theLockFileLivesBesideTheStoreAndAClosedStoreOpensAgain() throws IOException {
        Path file = dir.resolve("d.skip");
        PageStore.open(file).close();
        assertThat(StoreLock.lockFile(file)).exists().hasFileName("d.skip.lock");
        Path link = dir.resolve("link.skip");
        Files.createSymbolicLink(link, file);
        try (PageStore store = PageStore.open(file)) {
            assertThatThrownBy(() -> PageStore.open(link)).as("the same store through a link")
                    .isInstanceOfSatisfying(SkipstoreException.class, e -> assertThat(e.problem()).isEqualTo(Problem.LOCKED));
        }
        PageStore.open(link).close();
    }

    /** What a child JVM's open of {@code file} met. */
    private static String probe(Path file) throws Exception {
        Process p = new ProcessBuilder(ChildJvm.java(), "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                ChildJvm.classPath(), LockProbe.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
