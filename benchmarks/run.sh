#!/usr/bin/env bash
# The benchmark command. From a clean clone:
#
#   benchmarks/run.sh --quick      # about 4 minutes on 2 cores (plus the build): prints the ratios and
#                                  # writes benchmarks/results/results.md and teardown-vs-groups.png
#   benchmarks/run.sh --full       # the numbers to publish, on a quiet machine (about 15 minutes
#                                  # alone; about 20 with variants, plus the builds)
#   benchmarks/run.sh --quick spawn teardown   # only some sections
#                                  # (spawn capture latency teardown footprint coldstart)
#   benchmarks/run.sh --quick --out /tmp/bench  # write the results elsewhere
#
# Library variants (sections spawn, latency and teardown; those three by default when a variant is given):
#
#   benchmarks/run.sh --quick --compare-with main~3     # that revision's library beside the current build:
#                                  # "current ÷ @<rev>" is new/old (repeatable: one variant per revision)
#   benchmarks/run.sh --quick --variant portable:-Dmanagedprocesses.platform=portable
#                                  # the current build with other JVM options (repeatable; comma-separated)
#   benchmarks/run.sh --quick --variant-library mine=/path/managed-processes.jar   # any build of the library
#   benchmarks/run.sh --quick --rounds 6 spawn --compare-with main~3   # more rounds: a narrower interval
#
# Teardowns of the current build and of each variant in one JVM, beside the floor, round-robin
# (dev.managedprocesses.benchmarks.SameJvmTeardown: a narrower interval for a change to the teardown):
#
#   benchmarks/run.sh --same-jvm --compare-with main~1 [--jvms 3] [--teardown-warmups 30] [--measured 30]
#                    [--groups 100] [--pause-ms 0]     # prints the table; BENCHMARKS.md "Tenth round" says what it is for
#   benchmarks/run.sh --same-jvm --teardown-warmups 0 --measured 200 --jvms 4 --by-teardown
#                                    # the same by the JVM's teardown number, from a fresh JVM's first: the JIT's
#                                    # share, paid once per JVM ("Twelfth round")
#
# Builds the library and the benchmarks (without their tests; nothing is installed), then runs the
# harness (dev.managedprocesses.benchmarks.Main) on target/classes + the dependency class path.
# --compare-with REV builds REV's library in a temporary git worktree under /tmp (removed once the jar
# is copied out; the copy is removed when the run ends) and hands it to the harness with
# --variant-library "@<short rev>=<jar>:<its runtime dependencies>".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

compares=()
args=()
main=dev.managedprocesses.benchmarks.Main
out=(--out "$here/results")
while [ $# -gt 0 ]; do
  case "$1" in
    --same-jvm) main=dev.managedprocesses.benchmarks.SameJvmTeardown; out=(); shift;;
    --compare-with)
      [ $# -ge 2 ] || { echo "run.sh: --compare-with needs a git revision" >&2; exit 2; }
      compares+=("$2"); shift 2;;
    --compare-with=*) compares+=("${1#*=}"); shift;;
    *) args+=("$1"); shift;;
  esac
done

revs=()
for compare in ${compares[@]+"${compares[@]}"}; do
  rev="$(git -C "$root" rev-parse --verify --quiet "$compare^{commit}")" \
    || { echo "run.sh: --compare-with '$compare' is not a commit of this repository" >&2; exit 2; }
  revs+=("$rev")
done

mvn -B -ntp -q -pl benchmarks -am package -DskipTests
classpath="$here/target/classes:$(cat "$here/target/benchmark.classpath")"

tmps=()
worktree=""
cleanup() {
  if [ -n "$worktree" ] && [ -d "$worktree" ]; then
    git -C "$root" worktree remove --force "$worktree" || echo "run.sh: could not remove the worktree $worktree" >&2
  fi
  for t in ${tmps[@]+"${tmps[@]}"}; do
    rm -rf "$t"
  done
}
trap cleanup EXIT

for rev in ${revs[@]+"${revs[@]}"}; do
  short="$(git -C "$root" rev-parse --short "$rev")"
  tmp="$(mktemp -d "/tmp/mp-compare-$short.XXXXXX")"
  tmps+=("$tmp")
  worktree="$tmp/src"
  echo "run.sh: building the library at $short ($(git -C "$root" log -1 --format=%s "$rev" | cut -c1-70)) in $worktree"
  git -C "$root" worktree add --detach --quiet "$worktree" "$rev"
  (cd "$worktree" && mvn -B -ntp -q -pl extension -am package -DskipTests)
  # The old library's own runtime dependencies go first on its forks' class path (a revision may need
  # other versions than the current build's).
  (cd "$worktree" && mvn -B -ntp -q -pl extension \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$tmp/dependencies.classpath")
  jars=()
  for jar in "$worktree"/extension/target/managed-processes-*.jar; do
    case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) [ -f "$jar" ] && jars+=("$jar");; esac
  done
  if [ ${#jars[@]} -ne 1 ]; then
    echo "run.sh: expected one library jar in $worktree/extension/target, found: ${jars[*]:-none}" >&2
    exit 1
  fi
  old="$tmp/managed-processes@$short.jar"
  cp "${jars[0]}" "$old"
  git -C "$root" worktree remove --force "$worktree"
  worktree=""
  args+=(--variant-library "@$short=$old:$(cat "$tmp/dependencies.classpath" 2>/dev/null || true)")
done

status=0
java -Djava.awt.headless=true -cp "$classpath" "$main" ${out[@]+"${out[@]}"} ${args[@]+"${args[@]}"} \
  || status=$?
exit $status
