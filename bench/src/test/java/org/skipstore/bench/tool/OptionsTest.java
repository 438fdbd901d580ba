package org.skipstore.bench.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.skipstore.bench.store.KvStore;

/** Which engine runs which phase, in which order, and what the main job runs. */
class OptionsTest {

    @Test
    void theMainJobRunsTheEngineAgainstRocksDbAndLmdbAndTheMemtableAgainstTheMap() {
        Options o = Options.parse(new String[0]);
        assertEquals(List.of("memtable", "cslm", "skipstore", "rocksdb", "lmdb"), o.engines());
        assertEquals(1_000_000, o.storeNum());
        assertEquals(KvStore.Writes.PER_PUT, o.writes());
        assertEquals(List.of("fillseq", "fillrandom", "readrandom", "readseq", "readrandom-flushed", "readseq-flushed",
                "commit", "group", "sustained", "replay"), o.phases("skipstore"));
        assertEquals(List.of("fillseq", "fillrandom", "readrandom", "readseq", "readrandom-flushed", "readseq-flushed",
                "commit", "group"), o.phases("rocksdb"));
        assertEquals(List.of("fillseq", "fillrandom", "overwrite", "readrandom", "readseq", "mixed"),
                o.phases("memtable"));
    }

    @Test
    void phasesRunInTheirOwnOrderWhateverTheCommandLineSays() {
        Options o = Options.parse(new String[] {"--benchmarks", "readseq-flushed,readrandom,fillrandom",
                "--engine", "skipstore"});
        assertEquals(List.of("fillrandom", "readrandom", "readseq-flushed"), o.phases("skipstore"));
    }

    @Test
    void theWarmUpIsSmallAndSkipsTheEnginesOwnPhases() {
        Options w = Options.parse(new String[0]).warmUp();
        assertTrue(w.storeNum() <= 50_000 && w.commits() <= 100 && w.groupNum() <= 500);
        assertFalse(w.phases("skipstore").contains("sustained"));
        assertFalse(w.phases("skipstore").contains("replay"));
        assertEquals(Progress.Mode.NONE, w.progress());
    }

    @Test
    void progressIsABarALineEveryFewSecondsOrNothing() {
        assertEquals(Progress.Mode.BAR, Options.parse(new String[] {"--progress"}).progress());
        assertEquals(Progress.Mode.NONE, Options.parse(new String[] {"--no-progress"}).progress());
        assertTrue(Options.parse(new String[0]).progress() != Progress.Mode.NONE, "by default the bar or lines");
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--writes", "some"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--benchmarks", "fillsome"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--engine", "lmdb,lmdb"}));
        assertEquals(KvStore.Writes.BATCH, Options.parse(new String[] {"--writes", "batch"}).writes());
        assertNull(Options.parse(new String[] {"--help"}));
    }
}
