#!/usr/bin/env bash
# Runs Skipstore's benchmarks from bench/target/benchmarks.jar.
#
#   bash bench/bench.sh                   the main job: the db_bench-style tool (DbBench) with its
#                                         defaults, memtable against ConcurrentSkipListMap, ~1 minute
#   bash bench/bench.sh --num 200000 ...  the tool with options (--help lists them)
#   bash bench/bench.sh jmh               the arena allocation benchmarks, short configuration
#   bash bench/bench.sh jmh ARGS...       JMH with ARGS, e.g.
#                                           -h                         JMH's help
#                                           -l                         list the benchmarks
#                                           -prof gc                   allocation per operation
#                                           shardedArena               only benchmarks matching a regex
#                                           -wi 3 -i 5 -r 1s           a longer run
#
# Works from any directory. Needs Maven (mvn) to build and a JDK >= 22 to run: JAVA_HOME when it
# is new enough, else the newest JDK >= 22 under /usr/lib/jvm (by its release file). The jar is
# (re)built with `mvn -B -q -pl bench -am package -DskipTests` from the repository root when it is
# missing or older than any pom or main source of the repository.
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
readonly BENCH_DIR ROOT JAR RESULT_FILE

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

# True when the jar is missing or a pom or main source file of the repository is newer.
jar_is_stale() {
    [[ -f $JAR ]] || return 0
    local newer
    newer=$(find "$ROOT/pom.xml" "$ROOT"/*/pom.xml "$ROOT"/*/src/main -type f -newer "$JAR" -print -quit 2>/dev/null || true)
    [[ -n $newer ]]
}

build_jar() {
    command -v mvn >/dev/null || die "mvn not found on PATH: Maven is needed to build $JAR"
    echo "bench.sh: building $JAR (mvn -B -q -pl bench -am package -DskipTests) ..." >&2
    local log
    # -q prints only problems (and, with Maven 3.8, stray color codes): show the log on failure.
    if ! log=$(cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests 2>&1); then
        printf '%s\n' "$log" >&2
        die "the build failed (Maven's output is above)"
    fi
    [[ -f $JAR ]] || die "the build succeeded but made no $JAR"
}

# Runs JMH with the given arguments plus -foe true and the result file, unless already given.
run_jmh() {
    local args=("$@") extra=() a has_foe=false has_rf=false
    for a in "${args[@]}"; do
        case $a in
            -foe) has_foe=true ;;
            -rf | -rff) has_rf=true ;;
        esac
    done
    $has_foe || extra+=(-foe true)
    $has_rf || extra+=(-rf csv -rff "$RESULT_FILE")
    local jvm=()
    read -r -a jvm <<<"$(jvm_options)"
    "$JAVA" "${jvm[@]}" -jar "$JAR" "${extra[@]}" "${args[@]}"
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

# The db_bench-style tool; its options (see --help) pass through.
run_tool() {
    local jvm=()
    read -r -a jvm <<<"$(jvm_options)"
    "$JAVA" "${jvm[@]}" -cp "$JAR" org.skipstore.bench.tool.DbBench "$@"
}

JAVA_HOME_RUN=$(find_jdk)
JAVA="$JAVA_HOME_RUN/bin/java"
echo "bench.sh: running on JDK $(jdk_version "$JAVA_HOME_RUN") at $JAVA_HOME_RUN" >&2

if jar_is_stale; then
    build_jar
fi

if [[ ${1:-} == jmh ]]; then
    shift
    if (($# == 0)); then
        run_jmh -f 1 -wi 3 -w 300ms -i 5 -r 500ms "$ARENA_REGEX"
    else
        run_jmh "$@"
    fi
else
    run_tool "$@"
fi
