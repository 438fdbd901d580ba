/**
 * Benchmarks of Skipstore, all packaged in {@code bench/target/benchmarks.jar} and run through
 * {@code bench/bench.sh}.
 *
 * <ul>
 *   <li>{@link org.skipstore.bench.jmh}: JMH microbenchmarks. The jar's main class is JMH's, so
 *       {@code java -jar benchmarks.jar [JMH options] [regex]} runs them.</li>
 *   <li>{@link org.skipstore.bench.store}: the durable stores under test (Skipstore's engine,
 *       RocksDB, LMDB, PageStore, and in the {@code peers} build H2 MVStore and MapDB) behind one
 *       small interface, shared by the JMH benchmarks and the db_bench-style tool.</li>
 *   <li>{@link org.skipstore.bench.kafka}: the Kafka Streams benchmark (issue 16), Skipstore's state
 *       store against Kafka Streams' default RocksDB store through {@code TopologyTestDriver}
 *       ({@code bash bench/bench.sh kafka}); its main class is
 *       {@link org.skipstore.bench.kafka.KafkaBench}.</li>
 *   <li>{@link org.skipstore.bench.report}: a run's results as one self-contained HTML report
 *       (bar charts, latency over time, tables; inline SVG, no script), from the db_bench-style
 *       tool's run or from saved JMH results ({@code bash bench/bench.sh --report PATH}).</li>
 *   <li>This package: command-line benchmark tools (a db_bench-style driver;
 *       {@link org.skipstore.bench.MemtableFootprint}, the memtable's bytes per entry), each with
 *       its own {@code main}, started with {@code java -cp benchmarks.jar <class>}.</li>
 * </ul>
 *
 * The module is not a JPMS module: benchmarks run on the class path, where the Skipstore modules
 * they use are ordinary jars.
 */
package org.skipstore.bench;
