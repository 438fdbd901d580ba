package org.skipstore.pagestore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.pagestore.Durability;
import org.skipstore.pagestore.child.ChildJvm;
import org.skipstore.pagestore.internal.child.GrowUntilFull;

/**
 * A real full disk, as a file size limit ({@code ulimit -f}) on a child JVM: growth fails with a
 * clear {@code NO_SPACE} error (never a SIGBUS in a later store), the store keeps committing in
 * the space it has, and the file reopens with the last commit, whole.
 */
class DiskFullTest {

    @TempDir
    Path dir;

    @Test
    void growthBeyondTheDiskIsAClearErrorAndLosesNothing() throws Exception {
        Path store = dir.resolve("full.db");
        long limitKiB = 2048;
        String cmd = "ulimit -f " + limitKiB + " && exec '" + ChildJvm.java() + "' -Xmx256m -cp '" + ChildJvm.classPath()
                + "' " + GrowUntilFull.class.getName() + " '" + store + "'";
        Process child = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("FULL \\d+ NO_SPACE cannot grow");
        long ok = Long.parseLong(out.substring(out.indexOf("OK ") + 3).trim());
        assertThat(Files.size(store)).isLessThanOrEqualTo(limitKiB * 1024);
        Pager p = PageFiles.open(store, 4096, Durability.SYNC, false, Pager.Hook.NONE);
        try {
            assertThat(p.committed().txnId).isEqualTo(ok);
            assertThat(p.committed().root(7)).isEqualTo(1);
            Workload.readAndCheck(p.file(), p.committed());
        } finally {
            p.close();
        }
        System.out.println("disk full: " + out.lines().filter(l -> l.startsWith("FULL")).findFirst().orElse(""));
    }
}
