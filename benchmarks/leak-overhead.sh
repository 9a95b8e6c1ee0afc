#!/usr/bin/env bash
# Benchmark (6): the leak detector's per-test cost, detector off vs on, 500 tiny tests, >= 300 extra
# processes on the machine.   benchmarks/leak-overhead.sh [rounds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$(dirname "$here")"
mvn -B -ntp -q -pl benchmarks -am package -DskipTests
exec java -cp "$here/target/classes:$(cat "$here/target/benchmark.classpath")" \
  dev.managedprocesses.benchmarks.LeakDetectorOverhead "$@"
