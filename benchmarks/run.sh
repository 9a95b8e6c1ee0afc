#!/usr/bin/env bash
# The benchmark command. From a clean clone:
#
#   benchmarks/run.sh --quick      # about 4 minutes on 2 cores (plus the build): prints the ratios and
#                                  # writes benchmarks/results/results.md and teardown-vs-groups.png
#   benchmarks/run.sh --full       # the numbers to publish, on a quiet machine (about 15 minutes:
#                                  # 824 s in the harness, plus the build)
#   benchmarks/run.sh --quick spawn teardown   # only some sections
#                                  # (spawn capture latency teardown footprint coldstart)
#   benchmarks/run.sh --quick --out /tmp/bench  # write the results elsewhere
#
# Builds the library and the benchmarks (without their tests; nothing is installed), then runs the
# harness (dev.managedprocesses.benchmarks.Main) on target/classes + the dependency class path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
mvn -B -ntp -q -pl benchmarks -am package -DskipTests
classpath="$here/target/classes:$(cat "$here/target/benchmark.classpath")"
exec java -Djava.awt.headless=true -cp "$classpath" dev.managedprocesses.benchmarks.Main --out "$here/results" "$@"
