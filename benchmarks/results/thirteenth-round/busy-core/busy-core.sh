#!/usr/bin/env bash
# Spawn + wait in the fallback mode (cgroups off), the current build against another, on a quiet machine and
# with one core kept busy by a `nice -n 19` shell loop (as a CI machine running other work is).
# Usage: busy-core.sh ROUNDS CURRENT.jar OTHER.jar   (the jars: the library, e.g. built by benchmarks/run.sh
# --compare-with, or `mvn -q -pl extension package -DskipTests` at each commit). Prints one line per JVM:
# round, machine state, build, µs per process; then each build's ratio current/other per state.
set -euo pipefail
rounds=$1; cur=$2; other=$3
here="$(cd "$(dirname "$0")" && pwd)"
jffi=$(ls ~/.m2/repository/com/github/jnr/jffi/1.4.3/jffi-1.4.3.jar ~/.m2/repository/com/github/jnr/jffi/1.4.3/jffi-1.4.3-native.jar | paste -sd:)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
javac -d "$tmp" -cp "$cur" "$here/SpawnLoop.java"
out="$tmp/out.txt"
for r in $(seq "$rounds"); do
  for state in quiet busy; do
    spinner=
    if [ "$state" = busy ]; then nice -n 19 sh -c 'while :; do :; done' & spinner=$!; fi
    if [ $((r % 2)) = 1 ]; then order="current other"; else order="other current"; fi
    for b in $order; do
      jar=$cur; [ "$b" = other ] && jar=$other
      echo "$r $state $b $(java -Xms512m -Xmx512m -Dmanagedprocesses.cgroups=off -cp "$tmp:$jar:$jffi" SpawnLoop 2>/dev/null)" | tee -a "$out"
    done
    if [ -n "$spinner" ]; then kill "$spinner"; wait "$spinner" 2>/dev/null || true; fi
  done
done
python3 - "$out" <<'PY'
import sys, math, statistics as st
d = {}
for line in open(sys.argv[1]):
    r, state, b, v = line.split()
    d.setdefault(state, {}).setdefault(int(r), {})[b] = float(v)
for state, rows in d.items():
    for b in ("current", "other"):
        print(f"{state}: {b} median {st.median(x[b] for x in rows.values()):.0f} µs")
    logs = [math.log(x["current"] / x["other"]) for x in rows.values()]
    m = st.mean(logs); se = st.stdev(logs) / math.sqrt(len(logs))
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36}.get(len(logs), 2.0)
    print(f"{state}: current/other {math.exp(m):.2f}x [{math.exp(m - t * se):.2f}, {math.exp(m + t * se):.2f}] ({len(logs)} pairs)")
PY
