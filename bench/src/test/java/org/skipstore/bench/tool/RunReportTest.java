package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.skipstore.bench.report.Machine;
import org.skipstore.bench.report.ReportData;

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

    @Test
    void everyPhaseWithTwoEnginesIsAChartOfItsKindAndTheLatenciesAndFootprintsCarryOver() {
        String[] args = {"--engine", "memtable,cslm,skipstore,lmdb", "--num", "1000", "--no-progress"};
        Options o = Options.parse(args);
        Latencies.Summary commits = new Latencies.Summary(10, 100_000, 200_000, 300_000, 400_000);
        Latencies.Summary floor = new Latencies.Summary(10, 90_000, 150_000, 250_000, 350_000);
        ReportData.SizeRow memtable = new ReportData.SizeRow("memtable", "fillseq, in memory", 168, 0, Double.NaN);
        List<Result> results = List.of(
                new Result("fillseq", "memtable", 1000, 2_000_000).withFootprint(memtable),
                new Result("fillseq", "cslm", 1000, 1_000_000),
                new Result("fillseq", "skipstore", 1000, 4_000_000),
                new Result("fillseq", "lmdb", 1000, 5_000_000),
                new Result("mixed", "memtable", 1000, 1_000_000).withThreads(3),
                new Result("mixed", "cslm", 1000, 2_000_000).withThreads(3),
                new Result("commit", "skipstore", 10, 1_000_000).withLatency(commits, floor));
        ReportData d = RunReport.of(o, args, new Machine("cpu", 2, 1, "jdk", "os", 0), results, null, null, null);

        assertEquals(List.of("in memory: 1,000 entries/fillseq", "in memory: 1,000 entries/mixed 3t",
                "stores: 1,000 entries, a durable commit every 1,000 puts/fillseq"),
                d.workloads().stream().map(w -> w.group() + "/" + w.name()).toList()); // commit: one engine, no chart
        ReportData.Workload stores = d.workloads().get(2);
        assertEquals(List.of(new ReportData.Bar("skipstore", 250_000), new ReportData.Bar("lmdb", 200_000)), stores.bars());
        assertEquals(1.25, stores.ratioToBestPeer(stores.bars().get(0)), 1e-9);
        assertEquals(List.of(new ReportData.LatencyRow("skipstore", "commit: one operation", 10, 100_000, 200_000,
                300_000, 400_000), new ReportData.LatencyRow("floor", "beside skipstore's commits: one 4 KiB write"
                + " + fdatasync", 10, 90_000, 150_000, 250_000, 350_000)), d.latencies());
        assertEquals(List.of(memtable), d.sizes());
        assertEquals("1000", d.settings().get("--num"));
        assertEquals("memtable,cslm,skipstore,lmdb", d.settings().get("--engine"));
        assertEquals("none", d.settings().get("progress"));
        assertEquals("per-put", d.settings().get("--writes"));
    }
}
