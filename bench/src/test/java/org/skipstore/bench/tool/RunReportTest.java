package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** The report's command runs the same again: every argument but where this run's report went, quoted for a shell. */
class RunReportTest {

    @Test
    void theCommandLeavesOutTheOutputFolderAndQuotesWhatAShellWouldSplit() {
        String[] args = {"--out", "/tmp/r1", "--num", "1000", "--out=/tmp/r2", "--engine", "skipstore,lmdb", "--dir",
                "/tmp/a b"};
        Options o = Options.parse(args);
        String command = RunReport.command(o, args);
        assertEquals("bash bench/bench.sh --num 1000 --engine skipstore,lmdb --dir '/tmp/a b'", command);
        assertFalse(command.contains("--peers"));
    }
}
