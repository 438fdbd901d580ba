package org.skipstore.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka benchmark on a tiny input, child JVMs and all: every phase of both engines runs, the
 * counts add up, and the table has a row per run with Skipstore's ratio, the memory columns, and
 * the goals. The figures themselves are not checked (a test cannot know them).
 */
class KafkaBenchTest {

    private static final int NUM = 3000;

    @Test
    void aTinyRunPrintsARowPerPhaseAndEngineWithTheRatiosAndTheGoals(@TempDir Path dir)
            throws IOException, InterruptedException {
        KafkaOptions o = KafkaOptions.parse(new String[] {"--num", String.valueOf(NUM), "--keys", "200",
                "--commit-every", "500,1", "--per-record-seconds", "1", "--heap", "256m", "--dir", dir.toString()});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<KafkaBench.Row> rows;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            rows = KafkaBench.run(o, out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);

        List<String> phases = List.of(KafkaTable.processLabel(1), KafkaTable.processLabel(500),
                KafkaTable.restoreLabel(1000));
        assertEquals(phases, rows.stream().map(KafkaBench.Row::phase).distinct().toList());
        for (KafkaBench.Row r : rows) {
            long records = r.figures().records();
            if (r.every() == 1) { // stopped by the clock or at the end
                assertTrue(records > 0 && records <= NUM, r.toString());
            } else { // the interval run and the restore of its changelog: every record
                assertEquals(NUM, records, r.toString());
            }
            assertTrue(r.figures().nanos() > 0, r.toString());
        }
        assertEquals(6, rows.size());

        List<String> lines = text.lines().toList();
        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("phase ")).findFirst().orElseThrow());
        assertTrue(Pattern.matches("phase\\s+engine\\s+records\\s+records/s\\s+vs rocksdb\\s+off-heap peak\\s+"
                + "off-heap end\\s+store\\s+file\\s+own native", lines.get(header)), lines.get(header));
        // phase by phase, skipstore then rocksdb; only skipstore's row has the ratio
        String number = "[0-9][0-9,]*";
        String mib = "(-|-?[0-9]+\\.[0-9] MiB)";
        for (int i = 0; i < phases.size(); i++) {
            String skipstore = lines.get(header + 1 + 2 * i);
            String rocksdb = lines.get(header + 2 + 2 * i);
            String memory = "\\s+" + mib + "\\s+" + mib + "\\s+" + mib + "\\s+" + mib;
            // own native: Skipstore's FFM allocations, which NMT tracks in the child; not RocksDB's malloc
            assertTrue(Pattern.matches(Pattern.quote(phases.get(i)) + "\\s+skipstore\\s+" + number + "\\s+" + number
                    + "\\s+[0-9]+\\.[0-9]{2}x" + memory + "\\s+[0-9]+\\.[0-9] MiB", skipstore), skipstore);
            assertTrue(Pattern.matches(Pattern.quote(phases.get(i)) + "\\s+rocksdb\\s+" + number + "\\s+" + number
                    + memory + "\\s+-", rocksdb), rocksdb);
        }
        assertTrue(text.contains("skipstore's budget: " + KafkaTable.mib(Aggregation.skipstoreBudget()) + " a store"), text);

        int goals = lines.indexOf(KafkaTable.GOALS);
        assertTrue(goals > header, text);
        List<String> goalLines = lines.subList(goals + 2, lines.size());
        assertEquals(phases.size() + 2, goalLines.size(), text); // the goals, then the memory's upper bound
        for (int i = 0; i < phases.size(); i++) {
            assertTrue(Pattern.matches(Pattern.quote(phases.get(i) + ": records/s vs rocksdb")
                    + "\\s+[0-9]+\\.[0-9]{2}x\\s+>= 1\\.00x\\s+(yes|NO)", goalLines.get(i)), goalLines.get(i));
        }
        String memoryGoal = goalLines.get(phases.size());
        assertTrue(Pattern.matches("memory: own native, peak of its runs / budget\\s+[0-9]+\\.[0-9]{2}x\\s+<= 1\\.00x\\s+"
                + "(yes|NO)", memoryGoal), memoryGoal);
        assertTrue(Pattern.matches("\\(store, the upper bound .*: -?[0-9]+\\.[0-9]{2}x the budget\\)", goalLines.getLast()),
                goalLines.getLast());

        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "the runs' directories are deleted at the end");
        }
    }

    @Test
    void optionsHaveTheIssuesDefaultsAndBadOnesAreRefused() {
        KafkaOptions o = KafkaOptions.parse(new String[0]);
        assertEquals(1_000_000, o.num());
        assertEquals(100_000, o.keys());
        assertEquals(List.of(1, 10_000), o.commitEvery());
        assertEquals(10_000, o.changelogInterval());
        assertEquals(List.of("skipstore", "rocksdb"), o.engines());
        assertEquals(List.of(1, 10, 100), KafkaOptions.parse(new String[] {"--commit-every", "100,1,10"}).commitEvery());
        assertNull(KafkaOptions.parse(new String[] {"--help"}));
        assertThrows(IllegalArgumentException.class, () -> KafkaOptions.parse(new String[] {"--commit-every", "0"}));
        assertThrows(IllegalArgumentException.class, () -> KafkaOptions.parse(new String[] {"--engine", "lmdb"}));
        assertThrows(IllegalArgumentException.class, () -> KafkaOptions.parse(new String[] {"--heap", "lots"}));
        assertThrows(IllegalArgumentException.class, () -> KafkaOptions.parse(new String[] {"--nums", "1"}));
        assertFalse(KafkaOptions.HELP.isBlank());
    }
}
