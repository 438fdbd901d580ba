#!/usr/bin/env bash
# Runs Skipstore's benchmarks from bench/target/benchmarks.jar.
#
#   bash bench/bench.sh                   the main job: the db_bench-style tool (DbBench) with its
#                                         defaults, 2 to 2.5 minutes on 2 idle cores (up to 6.5 on
#                                         busy ones): Skipstore's engine against RocksDB and LMDB on
#                                         embedded databases in a temporary directory (1 M entries;
#                                         fills with a durable commit every 1000 puts, reads before
#                                         and after a flush, one-put durable commits beside the
#                                         disk's floor, 4 threads committing at once; the engine's
#                                         sustained 5 M-entry fill and a replay after SIGKILL), the
#                                         memtable against ConcurrentSkipListMap (1 M entries; the
#                                         mixed phase on as many threads as cores and on one more;
#                                         puts/s with 1, 2 .. cores+1 writers sharing one
#                                         structure); a line per phase as it ends, then the tables
#                                         and the engine's targets (issue 15), met or not, and one
#                                         HTML report with charts (bench/target/reports/<date-time>/
#                                         report.html; --out DIR to choose), whose path it prints last
#   bash bench/bench.sh --report PATH     no run: saved JMH results (bench/target/jmh-result.csv, any
#                                         -rf csv or -rf json file, or a folder of them) as the same
#                                         HTML report, written beside them (--out DIR to choose)
#   bash bench/bench.sh --num 200000 ...  the tool with options (--help lists them), e.g.
#                                           --engine skipstore,rocksdb,lmdb --benchmarks fillseq,fillrandom
#                                           --writes batch    skipstore and rocksdb fill with WriteBatches
#   bash bench/bench.sh --benchmarks writers
#                                         only the tool's writer-scaling table, in full: puts/s of the
#                                         memtable and ConcurrentSkipListMap with 1, 2, 4, 8, 16 and
#                                         cores+1 writers sharing one structure (--writers 1,2,4 to
#                                         choose), the median of 3 runs each
#   bash bench/bench.sh kafka             the Kafka Streams benchmark (issue 16; not part of the main job):
#                                         Skipstore's state store against Kafka Streams' default RocksDB
#                                         store under one aggregation through TopologyTestDriver, 1 M
#                                         records over 100 k keys: records/s at the driver's commit after
#                                         every record (30 s at most) and with a commit every 10,000
#                                         records, restore records/s from the changelog, memory outside
#                                         the heap, then a table with the ratios and the goals; a child
#                                         JVM a run, a few minutes in all
#   bash bench/bench.sh kafka ARGS...     with options (--help lists them), e.g. --num 200000 --commit-every 1,1000,10000
#   bash bench/bench.sh jmh               the arena allocation benchmarks, short configuration
#   bash bench/bench.sh jmh ARGS...       JMH with ARGS, e.g.
#                                           -h                         JMH's help
#                                           -l                         list the benchmarks
#                                           -prof gc                   allocation per operation
#                                           shardedArena               only benchmarks matching a regex
#                                           -wi 3 -i 5 -r 1s           a longer run
#
# RocksDB (rocksdbjni, a 92 MB jar of native libraries) is the engine's peer in the main job, so
# every build compiles its adapter and every run puts its jar on the class path, never inside
# benchmarks.jar: the build (Maven, scope provided) writes the jar's path in the local repository to
# bench/target/peers.classpath, and the run appends that class path to the jar's. Kafka Streams and
# Skipstore's kafka-streams module (the Kafka benchmark's) travel the same way.
#
# Options of this script, anywhere on the command line (they are not passed on):
#
#   --peers      build and run with the other store peers, H2 MVStore and MapDB, as well: the jar is
#                built with the Maven profile `peers` (`mvn -B -q -pl bench -am package -DskipTests
#                -Ppeers`), which compiles their adapters (bench/src/peers/java) and adds their jars,
#                kept out of benchmarks.jar too, to bench/target/peers.classpath. For JMH it also
#                makes the store benchmark's default `-p engine=skipstore,rocksdb,lmdb,pagestore,mvstore,mapdb`
#                (unless ARGS give -p engine=...). Without --peers, those two engines are missing,
#                and asking for one says so.
#   --no-build   run the jar as it is, without the staleness check and build below (e.g. while other
#                modules are being edited); bench/target/peers.classpath must exist.
#
# Store benchmarks (StoreBenchmark: Skipstore's engine against RocksDB and LMDB, and on request
# PageStore, and with --peers MVStore and MapDB, each durable: 1 M entries of 16-byte keys and
# 100-byte values; fillSeq and fillRandom with a durable commit every 1000 puts, readRandom,
# readSeq, readReverse after a flush, and a time series: tsAppend, a batch of 1000 points and a
# commit, and tsWindow, the latest 1000 points; scores in ns, the :entry rows per entry; each fill
# prints a "[size] ..." line with the files' bytes per entry against the raw 116 B). Not part of
# the main job: about 10 minutes for the three engines. Durable commits (CommitBenchmark: the
# floor, one 4 KiB write plus fdatasync; appendFloor, a log record appended plus fdatasync; the
# engine's and RocksDB's one-put commits, p50 and the other percentiles; four committing threads;
# the page layer's commits and LMDB's):
#
#   bash bench/bench.sh jmh StoreBenchmark                                   skipstore, rocksdb and lmdb
#   bash bench/bench.sh --peers jmh StoreBenchmark                           all six engines
#   bash bench/bench.sh jmh StoreBenchmark -p entries=20000 -f 1 -wi 1 -i 1 -w 1s -r 1s   smoke test
#   bash bench/bench.sh jmh 'StoreBenchmark\.(fill|ts)' -p engine=skipstore,pagestore   a subset
#   bash bench/bench.sh jmh 'CommitBenchmark\.(floor|appendFloor|engineCommit|rocksdbCommit)$'
#   bash bench/bench.sh jmh 'CommitBenchmark\.(engine|rocksdb)ConcurrentCommits'
#   bash bench/bench.sh --peers --engine skipstore,rocksdb,lmdb,pagestore,mvstore,mapdb   the tool on all stores
#
# Works from any directory. Needs Maven (mvn) to build and a JDK >= 22 to run: JAVA_HOME when it
# is new enough, else the newest JDK >= 22 under /usr/lib/jvm (by its release file). The jar is
# (re)built with `mvn -B -q -pl bench -am package -DskipTests` (plus -Ppeers with --peers) from the
# repository root when it is missing or older than any pom or main source of the repository, or
# bench/target/peers.classpath is missing (or, with --peers, older than bench/src/peers, or it was
# built without the peers).
#
# Every JMH run gets `-foe true` (a failing benchmark makes the run, and this script, exit
# non-zero) and writes its results as CSV to bench/target/jmh-result.csv, unless ARGS choose
# -foe, -rf or -rff themselves (JMH refuses an option given twice).
#
# `jmh` with no further arguments: the allocator benchmarks (ArenaAllocationBenchmark, regex
# ARENA_REGEX below), one fork, 3 warm-up iterations of 300 ms and 5 measured iterations of 500 ms
# per benchmark: about half a minute of benchmarking plus JVM starts.
#
# Memtable benchmarks (MemtableBenchmark: ConcurrentSkipList against ConcurrentSkipListMap on 1 M
# random 16-byte keys with 100-byte values; insert with 1 and 2 threads, get, full scan; scores in
# ns per entry; each memtable fill also prints the memtable's bytes per entry) are not part of the
# main job: one fork of all of them takes about 4 minutes on 2 idle cores. Run them by name:
#
#   bash bench/bench.sh jmh MemtableBenchmark -f 3                 full figures, about 12 minutes
#   bash bench/bench.sh jmh MemtableBenchmark -f 1 -prof gc        one fork, with allocation per entry
#   bash bench/bench.sh jmh 'MemtableBenchmark\.insert' -f 3       only the inserts (or \.get, \.scan)
#   bash bench/bench.sh jmh MemtableBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s    a smoke test, ~2 minutes
#
# Their iteration counts are in the class (inserts: 3 warm-up and 5 measured fills of a fresh
# structure; get and scan: 3 + 5 iterations of 1 s). The memtable's memory per entry alone, in
# about 10 seconds: java -cp bench/target/benchmarks.jar org.skipstore.bench.MemtableFootprint
# (with the JDK >= 22 that bench.sh names on its first line of output).
set -euo pipefail
shopt -s nullglob

readonly MIN_JAVA=22
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(dirname "$BENCH_DIR")"
JAR="$BENCH_DIR/target/benchmarks.jar"
RESULT_FILE="$BENCH_DIR/target/jmh-result.csv"
PEERS_CLASSPATH="$BENCH_DIR/target/peers.classpath"
# A class of the peers build: the jar has it when it was built with -Ppeers.
readonly PEER_CLASS=org/skipstore/bench/store/MvStoreKv.class
readonly ALL_STORE_ENGINES=skipstore,rocksdb,lmdb,pagestore,mvstore,mapdb
readonly BENCH_DIR ROOT JAR RESULT_FILE PEERS_CLASSPATH

die() {
    echo "bench.sh: $*" >&2
    exit 1
}

# Prints the JAVA_VERSION of the JDK at $1 (from its release file), or fails.
jdk_version() {
    local home=$1 v
    [[ -f $home/release && -x $home/bin/java ]] || return 1
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    [[ -n $v ]] || return 1
    echo "$v"
}

# Prints the feature (major) release of a JAVA_VERSION string: 25.0.3 -> 25, 1.8.0_292 -> 8.
feature_of() {
    local v=${1#1.}
    v=${v%%[!0-9]*}
    echo "${v:-0}"
}

# Prints the home of the JDK to run with.
find_jdk() {
    local v home best
    if [[ -n ${JAVA_HOME:-} ]]; then
        if v=$(jdk_version "$JAVA_HOME") && (($(feature_of "$v") >= MIN_JAVA)); then
            echo "$JAVA_HOME"
            return
        fi
        echo "bench.sh: JAVA_HOME=$JAVA_HOME is not a JDK >= $MIN_JAVA (${v:-no release file}); looking in /usr/lib/jvm" >&2
    fi
    best=$(
        for rel in /usr/lib/jvm/*/release; do
            home=$(cd "$(dirname "$rel")" && pwd -P) # resolves links, so each JDK counts once
            if v=$(jdk_version "$home") && (($(feature_of "$v") >= MIN_JAVA)); then
                printf '%s\t%s\n' "$v" "$home"
            fi
        done | sort -V -k1,1 | tail -n 1 | cut -f 2
    )
    if [[ -z $best ]]; then
        local found=()
        for rel in /usr/lib/jvm/*/release; do
            found+=("$(dirname "$rel") ($(jdk_version "$(dirname "$rel")" || echo 'unknown version'))")
        done
        die "no JDK >= $MIN_JAVA found: set JAVA_HOME to one or install one under /usr/lib/jvm;" \
            "found: ${found[*]:-nothing under /usr/lib/jvm}"
    fi
    echo "$best"
}

# True when the jar is missing or a pom or main source file of the repository is newer, or the
# class path of the jars kept out of it (RocksDB's, at least) is missing; with --peers also when a
# peer source is newer, or the jar is not of a peers build.
jar_is_stale() {
    [[ -f $JAR ]] || return 0
    local newer sources=("$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main)
    $PEERS && sources+=("$BENCH_DIR/src/peers")
    newer=$(find "${sources[@]}" -type f -newer "$JAR" -print -quit 2>/dev/null || true)
    [[ -n $newer ]] && return 0
    peers_classpath >/dev/null || return 0
    if $PEERS; then
        local listing
        listing=$("$JAVA_HOME_RUN/bin/jar" tf "$JAR" 2>/dev/null) || return 0
        [[ $listing == *"$PEER_CLASS"* ]] || return 0
    fi
    return 1
}

# Prints the class path of the jars kept out of benchmarks.jar (rocksdbjni; with a peers build also
# MVStore's and MapDB's), as the build wrote it, or fails when it is missing or names a jar that is
# not there.
peers_classpath() {
    [[ -s $PEERS_CLASSPATH ]] || return 1
    local cp entry
    cp=$(<"$PEERS_CLASSPATH")
    local IFS=:
    for entry in $cp; do
        [[ -f $entry ]] || return 1
    done
    echo "$cp"
}

build_jar() {
    command -v mvn >/dev/null || die "mvn not found on PATH: Maven is needed to build $JAR"
    local cmd=(mvn -B -q -pl bench -am package -DskipTests)
    $PEERS && cmd+=(-Ppeers)
    echo "bench.sh: building $JAR (${cmd[*]}) ..." >&2
    local log
    # -q prints only problems (and, with Maven 3.8, stray color codes): show the log on failure.
    if ! log=$(cd "$ROOT" && "${cmd[@]}" 2>&1); then
        printf '%s\n' "$log" >&2
        die "the build failed (Maven's output is above)"
    fi
    [[ -f $JAR ]] || die "the build succeeded but made no $JAR"
    peers_classpath >/dev/null || die "the build made no usable $PEERS_CLASSPATH"
}

# The class path of a run: the jar, and the jars kept out of it (RocksDB's; with --peers also the
# other peers').
class_path() {
    local cp
    cp=$(peers_classpath) || die "no class path of the jars kept out of benchmarks.jar ($PEERS_CLASSPATH is" \
        "missing or names a missing jar): run once without --no-build, or build with" \
        "mvn -B -pl bench -am package -DskipTests"
    echo "$JAR:$cp"
}

# Runs JMH with the given arguments plus -foe true and the result file, unless already given;
# with --peers also -p engine=<all five stores>, unless given.
run_jmh() {
    local args=("$@") extra=() a prev= has_foe=false has_rf=false has_engine=false
    for a in "${args[@]}"; do
        case $a in
            -foe) has_foe=true ;;
            -rf | -rff) has_rf=true ;;
        esac
        [[ $prev == -p && $a == engine=* ]] && has_engine=true
        prev=$a
    done
    $has_foe || extra+=(-foe true)
    $has_rf || extra+=(-rf csv -rff "$RESULT_FILE")
    if $PEERS && ! $has_engine; then
        extra+=(-p "engine=$ALL_STORE_ENGINES") # benchmarks without an engine parameter ignore it
    fi
    local jvm=() cp
    read -r -a jvm <<<"$(jvm_options)"
    cp=$(class_path)
    # JMH's forks get the same class path (java.class.path), so the peer jars reach them too.
    "$JAVA" "${jvm[@]}" -cp "$cp" org.openjdk.jmh.Main "${extra[@]}" "${args[@]}"
}

# JVM options for the JMH process; JMH's forks inherit them unless -jvmArgs replaces them.
jvm_options() {
    # JDK 24+ warns on every start that JMH calls sun.misc.Unsafe; JDK 23+ accepts this switch.
    if (($(feature_of "$(jdk_version "$JAVA_HOME_RUN")") >= 23)); then
        echo --sun-misc-unsafe-memory-access=allow
    fi
}

# `jmh` alone: the allocator benchmarks only, not the (minutes long) memtable ones.
readonly ARENA_REGEX='org\.skipstore\.bench\.jmh\.ArenaAllocationBenchmark\.'

# The Kafka Streams benchmark; its options (see --help) pass through. Its runs are child JVMs that
# it starts with their own flags.
run_kafka() {
    local jvm=() cp
    read -r -a jvm <<<"$(jvm_options)"
    cp=$(class_path)
    "$JAVA" "${jvm[@]}" -cp "$cp" org.skipstore.bench.kafka.KafkaBench "$@"
}

# The db_bench-style tool; its options (see --help) pass through. LMDB (lmdbjava) needs the
# --add-opens; RocksDB loads a native library (--enable-native-access keeps JDK 24+ quiet about it).
# Its report goes to --out, by default a new folder under bench/target/reports (--report: the
# folder of the results it reads, which the tool chooses itself).
run_tool() {
    local jvm=() cp a out=()
    read -r -a jvm <<<"$(jvm_options)"
    cp=$(class_path)
    for a in "$@"; do
        case $a in
            --out | --out=* | --report | --report=*) out=(none) ;;
        esac
    done
    if ((${#out[@]} == 0)); then
        out=(--out "$BENCH_DIR/target/reports/$(date +%Y%m%d-%H%M%S)")
    else
        out=()
    fi
    "$JAVA" "${jvm[@]}" --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
        --enable-native-access=ALL-UNNAMED -cp "$cp" org.skipstore.bench.tool.DbBench ${out[@]+"${out[@]}"} "$@"
}

# This script's own options, wherever they are; the rest is passed on.
PEERS=false
BUILD=true
rest=()
for a in "$@"; do
    case $a in
        --peers) PEERS=true ;;
        --no-build) BUILD=false ;;
        *) rest+=("$a") ;;
    esac
done
set -- ${rest[@]+"${rest[@]}"}
readonly PEERS BUILD

JAVA_HOME_RUN=$(find_jdk)
JAVA="$JAVA_HOME_RUN/bin/java"
echo "bench.sh: running on JDK $(jdk_version "$JAVA_HOME_RUN") at $JAVA_HOME_RUN" >&2

if ! $BUILD; then
    [[ -f $JAR ]] || die "--no-build, but there is no $JAR"
elif jar_is_stale; then
    build_jar
fi

if [[ ${1:-} == kafka ]]; then
    shift
    run_kafka "$@"
elif [[ ${1:-} == jmh ]]; then
    shift
    if (($# == 0)); then
        run_jmh -f 1 -wi 3 -w 300ms -i 5 -r 500ms "$ARENA_REGEX"
    else
        run_jmh "$@"
    fi
else
    run_tool "$@"
fi
