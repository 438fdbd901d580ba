package org.skipstore.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.skipstore.bench.report.JmhResults.Row;
import org.skipstore.bench.report.ReportData.Bar;
import org.skipstore.bench.report.ReportData.Workload;

/** Saved JMH results, in the shapes JMH 1.37 writes them, become the report's workloads. */
class JmhResultsTest {

    private static final String STORE = "org.skipstore.bench.jmh.StoreBenchmark.readSeq";
    private static final String MAP = "org.skipstore.bench.jmh.MapBenchmark";

    /** As {@code -rf csv} writes it: CRLF, the union of the parameters, a secondary result per line. */
    private static final String CSV = """
            "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: engine","Param: entries","Param: keys"
            "org.skipstore.bench.jmh.StoreBenchmark.readSeq","avgt",1,5,45.123456,1.234567,"ns/op",skipstore,1000000,
            "org.skipstore.bench.jmh.StoreBenchmark.readSeq:entry","avgt",1,1,12.500000,NaN,"ns/op",skipstore,1000000,
            "org.skipstore.bench.jmh.StoreBenchmark.readSeq","avgt",1,5,60.000000,2.000000,"ns/op",lmdb,1000000,
            "org.skipstore.bench.jmh.StoreBenchmark.readSeq:entry","avgt",1,5,15.000000,0.500000,"ns/op",lmdb,1000000,
            "org.skipstore.bench.jmh.MapBenchmark.put","thrpt",1,1,1234567.890000,NaN,"ops/s",,,"uniform, ""16B""\"
            """.replace("\n", "\r\n");

    /** As {@code -rf json} writes it (its pretty printer, raw data, percentiles, NaN as a string). */
    private static final String JSON = """
            [
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "org.skipstore.bench.jmh.StoreBenchmark.readSeq",
                    "mode" : "avgt",
                    "threads" : 1,
                    "forks" : 2,
                    "jvm" : "/usr/lib/jvm/jdk-22/bin/java",
                    "jvmArgs" : [
                        "-Xmx2g",
                        "-Dnote=\\"quoted\\" C:\\\\tmp \\u00e9"
                    ],
                    "jdkVersion" : "22.0.2",
                    "vmName" : "OpenJDK 64-Bit Server VM",
                    "vmVersion" : "22.0.2+9-70",
                    "warmupIterations" : 2,
                    "warmupTime" : "1 s",
                    "warmupBatchSize" : 1,
                    "measurementIterations" : 2,
                    "measurementTime" : "1 s",
                    "measurementBatchSize" : 1,
                    "params" : {
                        "engine" : "rocksdb",
                        "entries" : "1000000"
                    },
                    "primaryMetric" : {
                        "score" : 80.5,
                        "scoreError" : 3.25,
                        "scoreConfidence" : [
                            77.25,
                            83.75
                        ],
                        "scorePercentiles" : {
                            "0.0" : 78.0,
                            "50.0" : 80.5,
                            "90.0" : 83.0,
                            "95.0" : 83.0,
                            "99.0" : 83.0,
                            "99.9" : 83.0,
                            "99.99" : 83.0,
                            "99.999" : 83.0,
                            "99.9999" : 83.0,
                            "100.0" : 83.0
                        },
                        "scoreUnit" : "ns/op",
                        "rawData" : [
                            [
                                78.0,
                                80.0
                            ],
                            [
                                81.0,
                                83.0
                            ]
                        ]
                    },
                    "secondaryMetrics" : {
                        "entry" : {
                            "score" : 20.125,
                            "scoreError" : "NaN",
                            "scoreConfidence" : [
                                "NaN",
                                "NaN"
                            ],
                            "scorePercentiles" : {
                                "0.0" : 20.125,
                                "100.0" : 20.125
                            },
                            "scoreUnit" : "ns/op",
                            "rawData" : [
                                [
                                    2.0125E1
                                ]
                            ]
                        }
                    }
                },
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "org.skipstore.bench.jmh.MapBenchmark.get",
                    "mode" : "thrpt",
                    "threads" : 1,
                    "forks" : 1,
                    "primaryMetric" : {
                        "score" : 1.2345678E7,
                        "scoreError" : "NaN",
                        "scoreConfidence" : [
                            "NaN",
                            "NaN"
                        ],
                        "scorePercentiles" : {
                            "0.0" : 1.2345678E7,
                            "100.0" : 1.2345678E7
                        },
                        "scoreUnit" : "ops/ms",
                        "rawData" : [
                            [
                                1.2345678E7
                            ]
                        ]
                    },
                    "secondaryMetrics" : {
                    }
                }
            ]
            """;

    /** The CSV's header line (10 columns, Threads third). */
    private static final String HEADER = CSV.substring(0, CSV.indexOf('\n') + 1);

    private static final Machine MACHINE = new Machine("test cpu", 2, 1L << 30, "jdk", "os", 0.5);
    private static final double NAN = Double.NaN;

    @Test
    void csvRowsAreTheLinesWithTheirParametersAndAnEmptyColumnIsNoParameter() {
        assertEquals(List.of(
                new Row(STORE, "avgt", 45.123456, 1.234567, "ns/op", Map.of("engine", "skipstore", "entries", "1000000")),
                new Row(STORE + ":entry", "avgt", 12.5, NAN, "ns/op", Map.of("engine", "skipstore", "entries", "1000000")),
                new Row(STORE, "avgt", 60, 2, "ns/op", Map.of("engine", "lmdb", "entries", "1000000")),
                new Row(STORE + ":entry", "avgt", 15, 0.5, "ns/op", Map.of("engine", "lmdb", "entries", "1000000")),
                new Row(MAP + ".put", "thrpt", 1234567.89, NAN, "ops/s", Map.of("keys", "uniform, \"16B\""))),
                JmhCsv.parse(CSV));
    }

    @Test
    void csvWorkloadsHaveABarPerEngineAndTheSecondaryResultApart() {
        assertEquals(List.of(
                new Workload("StoreBenchmark", "readSeq (entries=1000000)", "ns/op", false,
                        List.of(new Bar("skipstore", 45.123456, 1.234567), new Bar("lmdb", 60, 2))),
                new Workload("StoreBenchmark", "readSeq:entry (entries=1000000)", "ns/op", false,
                        List.of(new Bar("skipstore", 12.5, NAN), new Bar("lmdb", 15, 0.5))),
                new Workload("MapBenchmark", "put (keys=uniform, \"16B\")", "ops/s", true,
                        List.of(new Bar("score", 1234567.89, NAN)))),
                JmhResults.workloads(JmhCsv.parse(CSV)));
    }

    @Test
    void jsonRowsAreThePrimaryAndEverySecondaryMetric() {
        assertEquals(List.of(
                new Row(STORE, "avgt", 80.5, 3.25, "ns/op", Map.of("engine", "rocksdb", "entries", "1000000")),
                new Row(STORE + ":entry", "avgt", 20.125, NAN, "ns/op", Map.of("engine", "rocksdb", "entries", "1000000")),
                new Row(MAP + ".get", "thrpt", 1.2345678E7, NAN, "ops/ms", Map.of())),
                JmhResults.parseJson(JSON));
    }

    @Test
    void jsonWorkloadsName() {
        assertEquals(List.of(
                new Workload("StoreBenchmark", "readSeq (entries=1000000)", "ns/op", false, List.of(new Bar("rocksdb", 80.5, 3.25))),
                new Workload("StoreBenchmark", "readSeq:entry (entries=1000000)", "ns/op", false,
                        List.of(new Bar("rocksdb", 20.125, NAN))),
                new Workload("MapBenchmark", "get", "ops/ms", true, List.of(new Bar("score", 1.2345678E7, NAN)))),
                JmhResults.workloads(JmhResults.parseJson(JSON)));
    }

    @Test
    void readTakesTheDirectorysResultFilesInNameOrderAndMergesTheirEngines(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("b-rocksdb.json"), JSON);
        Files.writeString(dir.resolve("a-store.csv"), CSV);
        Files.writeString(dir.resolve("notes.txt"), "not a result");
        ReportData report = JmhResults.read(dir, MACHINE, "bench.sh jmh");

        assertEquals("JMH results: a-store.csv, b-rocksdb.json", report.title());
        assertEquals(MACHINE, report.machine());
        assertEquals("bench.sh jmh", report.command());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("file 1", dir.resolve("a-store.csv").toString());
        settings.put("file 2", dir.resolve("b-rocksdb.json").toString());
        settings.put("benchmarks", "4");
        settings.put("b-rocksdb.json: JDK", "22.0.2 (OpenJDK 64-Bit Server VM 22.0.2+9-70)");
        settings.put("b-rocksdb.json: JMH", "1.37");
        settings.put("b-rocksdb.json: JVM arguments", "-Xmx2g -Dnote=\"quoted\" C:\\tmp \u00e9");
        settings.put("b-rocksdb.json: forks", "2");
        settings.put("b-rocksdb.json: warm-up", "2 x 1 s");
        settings.put("b-rocksdb.json: measurement", "2 x 1 s");
        settings.put("machine", "JMH's json files name the JDK, not the machine: the line above is the machine that drew this report");
        // no "to rerun the benchmarks": -p splits a value at its commas, and keys=uniform, "16B" has one
        assertEquals(List.copyOf(settings.entrySet()), List.copyOf(report.settings().entrySet()));
        assertEquals(List.of(
                new Workload("StoreBenchmark", "readSeq (entries=1000000)", "ns/op", false, List.of(
                        new Bar("skipstore", 45.123456, 1.234567), new Bar("lmdb", 60, 2), new Bar("rocksdb", 80.5, 3.25))),
                new Workload("StoreBenchmark", "readSeq:entry (entries=1000000)", "ns/op", false, List.of(
                        new Bar("skipstore", 12.5, NAN), new Bar("lmdb", 15, 0.5), new Bar("rocksdb", 20.125, NAN))),
                new Workload("MapBenchmark", "put (keys=uniform, \"16B\")", "ops/s", true,
                        List.of(new Bar("score", 1234567.89, NAN))),
                new Workload("MapBenchmark", "get", "ops/ms", true, List.of(new Bar("score", 1.2345678E7, NAN)))),
                report.workloads());
        assertTrue(report.timelines().isEmpty() && report.latencies().isEmpty() && report.sizes().isEmpty());
    }

    @Test
    void readOfOneFileReadsThatFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("store.json"), JSON);
        Files.writeString(dir.resolve("other.csv"), CSV);
        ReportData report = JmhResults.read(file, MACHINE, "cmd");

        assertEquals("JMH results: store.json", report.title());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("file", file.toString());
        settings.put("benchmarks", "3");
        settings.put("JDK", "22.0.2 (OpenJDK 64-Bit Server VM 22.0.2+9-70)"); // of the first result, not prefixed
        settings.put("JMH", "1.37");
        settings.put("JVM arguments", "-Xmx2g -Dnote=\"quoted\" C:\\tmp \u00e9");
        settings.put("forks", "2");
        settings.put("warm-up", "2 x 1 s");
        settings.put("measurement", "2 x 1 s");
        settings.put("machine", "JMH's json files name the JDK, not the machine: the line above is the machine that drew this report");
        settings.put("to rerun the benchmarks", "bash bench/bench.sh jmh 'StoreBenchmark\\.readSeq$|MapBenchmark\\.get$'"
                + " -f 2 -wi 2 -i 2 -p entries=1000000 -p engine=rocksdb # (approximately: JMH records no regex)");
        assertEquals(List.copyOf(settings.entrySet()), List.copyOf(report.settings().entrySet()));
        assertEquals(3, report.workloads().size());
    }

    @Test
    void csvFilesNameNoJvmAndTheirRerunCommandHasNoForksOrIterations(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.csv"), HEADER
                + "\"org.x.StoreBenchmark.readSeq\",\"avgt\",1,5,1.0,0.1,\"ns/op\",skipstore,1000,\r\n"
                + "\"org.x.StoreBenchmark.readSeq:entry\",\"avgt\",1,5,1.0,0.1,\"ns/op\",skipstore,1000,\r\n"
                + "\"org.x.StoreBenchmark.readRandom\",\"avgt\",1,5,1.0,0.1,\"ns/op\",skipstore,1000,\r\n"
                + "\"org.x.StoreBenchmark.readSeq\",\"avgt\",1,5,1.0,0.1,\"ns/op\",lmdb,10,\r\n");
        Files.writeString(dir.resolve("b.csv"), HEADER
                + "\"org.x.MapBenchmark.put\",\"thrpt\",1,5,1.0,0.1,\"ops/s\",,,\"it's\"\r\n"
                + "\"org.x.StoreBenchmark.readSeq\",\"avgt\",1,5,1.0,0.1,\"ns/op\",rocksdb,1000,\r\n");
        ReportData report = JmhResults.read(dir, MACHINE, "cmd");

        assertEquals(List.of("file 1", "file 2", "benchmarks", "machine", "to rerun the benchmarks"),
                List.copyOf(report.settings().keySet()));
        assertEquals("not in JMH's csv files: the line above is the machine that drew this report",
                report.settings().get("machine"));
        assertEquals("bash bench/bench.sh jmh 'StoreBenchmark\\.(readSeq|readRandom)$|MapBenchmark\\.put$'"
                + " -p entries=1000,10 -p 'keys=it'\\''s' -p engine=skipstore,lmdb,rocksdb"
                + " # (approximately: JMH records no regex)", report.settings().get("to rerun the benchmarks"));
    }

    @Test
    void theRerunCommandTakesTheOneThreadCountOtherThanOneAndNoneForABenchmarkWithoutAClass() {
        List<Row> rows = List.of(new Row("a.B.c", "avgt", 4, 1, NAN, "ns/op", Map.of("engine", "x")),
                new Row("a.B.c:gc.alloc.rate", "avgt", 4, 1, NAN, "MB/sec", Map.of("engine", "y")));
        assertEquals(Optional.of("bash bench/bench.sh jmh 'B\\.c$' -f 3 -wi 1 -i 5 -t 4 -p engine=x,y"
                        + " # (approximately: JMH records no regex)"),
                JmhSettings.rerunCommand(rows, Map.of("forks", 3.0, "warmupIterations", 1.0, "measurementIterations", 5.0)));
        assertEquals(Optional.empty(), JmhSettings.rerunCommand(List.of(new Row("c", "avgt", 1, NAN, "ns/op", Map.of())), null));
    }

    @Test
    void filesWithoutAResultAreAnError(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("a.csv"), HEADER);
        assertMessage("no JMH results in " + csv, () -> JmhResults.read(csv, MACHINE, "cmd"));
        Path json = Files.writeString(dir.resolve("b.json"), " [ ]\n");
        assertMessage("no JMH results in " + json, () -> JmhResults.read(json, MACHINE, "cmd"));
        assertMessage("no JMH results in " + dir, () -> JmhResults.read(dir, MACHINE, "cmd"));

        Files.writeString(dir.resolve("c.csv"), CSV); // one file with results is enough
        assertEquals(3, JmhResults.read(dir, MACHINE, "cmd").workloads().size());
    }

    @Test
    void aBenchmarkAtSeveralThreadCountsHasAWorkloadPerCountThreadsFirst(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.csv"), HEADER
                + "\"org.x.MapBenchmark.put\",\"thrpt\",1,5,10.0,NaN,\"ops/s\",skipstore,,uniform\r\n"
                + "\"org.x.MapBenchmark.put\",\"thrpt\",4,5,40.0,NaN,\"ops/s\",skipstore,,uniform\r\n"
                + "\"org.x.MapBenchmark.get\",\"thrpt\",1,5,5.0,NaN,\"ops/s\",skipstore,,uniform\r\n");
        Files.writeString(dir.resolve("b.json"), """
                [{"benchmark": "org.x.MapBenchmark.put", "mode": "thrpt", "threads": 4, "params": {"engine": "lmdb", "keys": "uniform"},
                  "primaryMetric": {"score": 30, "scoreError": "NaN", "scoreUnit": "ops/s"}},
                 {"benchmark": "org.x.MapBenchmark.scan", "mode": "thrpt", "threads": 2, "params": {"engine": "lmdb"},
                  "primaryMetric": {"score": 7, "scoreError": "NaN", "scoreUnit": "ops/s"},
                  "secondaryMetrics": {"gc.count": {"score": 3, "scoreUnit": "counts"}}}]""");
        assertEquals(List.of(
                new Workload("MapBenchmark", "put (threads=1, keys=uniform)", "ops/s", true, List.of(new Bar("skipstore", 10))),
                new Workload("MapBenchmark", "put (threads=4, keys=uniform)", "ops/s", true,
                        List.of(new Bar("skipstore", 40), new Bar("lmdb", 30))),
                new Workload("MapBenchmark", "get (keys=uniform)", "ops/s", true, List.of(new Bar("skipstore", 5))),
                new Workload("MapBenchmark", "scan (threads=2)", "ops/s", true, List.of(new Bar("lmdb", 7))),
                new Workload("MapBenchmark", "scan:gc.count (threads=2)", "counts", false, List.of(new Bar("lmdb", 3)))),
                JmhResults.read(dir, MACHINE, "cmd").workloads());
    }

    @Test
    void threadsAreReadFromTheCsvColumnAndTheJsonField() {
        assertEquals(List.of(new Row("a.B.c", "avgt", 8, 1, 0.1, "ns/op", Map.of("engine", "x", "entries", "1"))),
                JmhCsv.parse(HEADER + "\"a.B.c\",\"avgt\",8,5,1.0,0.1,\"ns/op\",x,1,\r\n"));
        assertEquals(List.of(new Row("a.B.c", "avgt", 1, 1, NAN, "ns/op", Map.of())), // no column: one thread
                JmhCsv.parse("Benchmark,Mode,Score,Score Error (99.9%),Unit\na.B.c,avgt,1,NaN,ns/op\n"));
        assertEquals(List.of(new Row("a.B.c", "avgt", 3, 1, NAN, "ns/op", Map.of())),
                JmhResults.parseJson("[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"threads\": 3,"
                        + " \"primaryMetric\": {\"score\": 1, \"scoreUnit\": \"ns/op\"}}]"));
        assertMessage("line 2: \"0\" is not a thread count",
                () -> JmhCsv.parse(HEADER + "\"a.B.c\",\"avgt\",0,5,1.0,0.1,\"ns/op\",x,1,\r\n"));
        assertMessage("benchmark result #1: \"threads\" is not a thread count: 1.5", () -> JmhResults.parseJson(
                "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"threads\": 1.5, \"primaryMetric\": {}}]"));
    }

    @Test
    void aLaterFigureOfTheSameEngineReplacesTheEarlierInItsPlace() {
        List<Row> rows = List.of(
                new Row(STORE, "avgt", 1, NAN, "ns/op", Map.of("engine", "a")),
                new Row(STORE, "avgt", 2, NAN, "ns/op", Map.of("engine", "b")),
                new Row(STORE, "avgt", 3, NAN, "ns/op", Map.of("engine", "a")),
                new Row(STORE, "thrpt", 4, NAN, "ops/s", Map.of("engine", "a")));
        List<Workload> workloads = JmhResults.workloads(rows);
        assertEquals(List.of(new Bar("a", 3), new Bar("b", 2)), workloads.get(0).bars());
        assertEquals(List.of(new Bar("a", 4)), workloads.get(1).bars());
    }

    @Test
    void theGroupIsTheSimpleClassNameAndASecondaryLabelMayHoldDots() {
        Row row = new Row("org.x.Bench.put:gc.alloc.rate.norm", "avgt", 48, NAN, "B/op",
                Map.of("size", "16", "engine", "skipstore", "entries", "10"));
        assertEquals(List.of(new Workload("Bench", "put:gc.alloc.rate.norm (entries=10, size=16)", "B/op", false,
                List.of(new Bar("skipstore", 48)))), JmhResults.workloads(List.of(row)));
    }

    @Test
    void ratesAreHigherIsBetterAndTimesAndAmountsAreNot() {
        for (String unit : List.of("ops/s", "ops/ms", "ops/us", "ops/ns", "ops/min", "MB/sec")) {
            assertTrue(JmhResults.higherIsBetter("", unit), unit);
            assertTrue(JmhResults.higherIsBetter("entry", unit), unit);
        }
        for (String unit : List.of("ns/op", "us/op", "s/op", "B/op", "#", "s", "")) {
            assertFalse(JmhResults.higherIsBetter("", unit), unit);
        }
    }

    @Test
    void whatTheGcProfilerMeasuresIsLowerIsBetterItsAllocationRateToo() {
        for (String label : List.of("\u00b7gc.alloc.rate", "gc.alloc.rate", "\u00b7gc.churn.G1_Eden_Space")) {
            assertFalse(JmhResults.higherIsBetter(label, "MB/sec"), label);
        }
        for (String label : List.of("\u00b7gc.alloc.rate.norm", "gc.alloc.rate.norm", "gc.count", "\u00b7gc.time")) {
            assertFalse(JmhResults.higherIsBetter(label, label.endsWith("norm") ? "B/op" : "ms"), label);
        }
        Map<String, String> params = Map.of("engine", "skipstore");
        assertEquals(List.of(false, false, true), JmhResults.workloads(List.of(
                        new Row(STORE + ":\u00b7gc.alloc.rate", "thrpt", 900, NAN, "MB/sec", params),
                        new Row(STORE + ":gc.alloc.rate", "thrpt", 900, NAN, "MB/sec", params),
                        new Row(STORE + ":bytes", "thrpt", 900, NAN, "MB/sec", params))) // a secondary rate of its own
                .stream().map(Workload::higherIsBetter).toList());
    }

    @Test
    void theJsonReaderTakesEscapesExponentsLiteralsAndNesting() {
        assertEquals(Arrays.asList(-0.0015, 200.0, 0.0, 1.5e300, true, false, null,
                        "q\"b\\s/\u00e9\n\t", Map.of("99.9", List.of(List.of(1.0, 2.0), List.of()), "", Map.of())),
                Json.parse(" [-1.5e-3, 2E+2, 0, 15e299, true, false, null,"
                        + " \"q\\\"b\\\\s\\/\\u00E9\\n\\t\", {\"99.9\": [[1, 2], []], \"\": {}}] \n"));
        List<Row> rows = JmhResults.parseJson("""
                [{"benchmark": "a.B.c", "mode": "ss", "params": {"engine": "sk\\"ip\\\\store\\u00e9"},
                  "primaryMetric": {"score": 5e-1, "scoreError": 1.0E-2, "scoreUnit": "s/op"}}]""");
        assertEquals(List.of(new Row("a.B.c", "ss", 0.5, 0.01, "s/op", Map.of("engine", "sk\"ip\\store\u00e9"))), rows);
    }

    @Test
    void badCsvNamesTheLine() {
        String header = CSV.substring(0, CSV.indexOf('\n') + 1);
        String good = "\"a.B.c\",\"avgt\",1,5,1.0,0.1,\"ns/op\",x,1,\r\n";
        assertMessage("line 3: a quoted field is not closed", () -> JmhCsv.parse(header + good + "\"a.B.c,avgt,1\r\n"));
        assertMessage("line 2: 4 fields, the header has 10", () -> JmhCsv.parse(header + "\"a.B.c\",\"avgt\",1,5\r\n"));
        assertMessage("line 3: \"fast\" is not a number",
                () -> JmhCsv.parse(header + good + good.replace("1.0", "fast")));
        assertMessage("line 2: a quote inside a field", () -> JmhCsv.parse(header + "\"a.B.c\"x," + good));
        assertMessage("line 1: no column \"Score\"", () -> JmhCsv.parse("\"Benchmark\",\"Mode\"\r\n"));
        assertMessage("line 1: no header", () -> JmhCsv.parse("\r\n"));
    }

    @Test
    void badJsonNamesTheOffset() {
        String trailingComma = "[{\"benchmark\" : \"x\", }]";
        assertMessage("offset " + trailingComma.indexOf('}') + ": expected a string", () -> JmhResults.parseJson(trailingComma));
        assertMessage("offset 18: unexpected end of the text", () -> JmhResults.parseJson("[{\"benchmark\": \"x\""));
        assertMessage("offset 8: expected ',' or ']'", () -> JmhResults.parseJson("[1.0, 2 3]"));
        assertMessage("offset 1: malformed number", () -> JmhResults.parseJson("[1.2.3]"));
        assertMessage("offset 1: unexpected character 'N'", () -> JmhResults.parseJson("[NaN]"));
        assertMessage("offset 3: text after the end", () -> JmhResults.parseJson("[] []"));
        assertMessage("offset 0: not a JSON array", () -> JmhResults.parseJson("{}"));
        assertMessage("benchmark result #1: \"primaryMetric\" is missing",
                () -> JmhResults.parseJson("[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\"}]"));
    }

    @Test
    void readNamesTheFileThatIsWrongAndADirectoryWithoutResults(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "not a result");
        assertMessage("no JMH result file (*.csv or *.json) in " + dir, () -> JmhResults.read(dir, MACHINE, "cmd"));

        Files.writeString(dir.resolve("a.csv"), CSV);
        Files.writeString(dir.resolve("b.csv"), CSV + "\"cut short");
        assertMessage(dir.resolve("b.csv") + ": line 7: a quoted field is not closed", () -> JmhResults.read(dir, MACHINE, "cmd"));
    }

    /** {@code call} throws an IllegalArgumentException whose message starts with {@code start}. */
    private static void assertMessage(String start, ThrowingCall call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), () -> "expected \"" + start + "...\", got \"" + e.getMessage() + "\"");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
