#!/usr/bin/env bash
# AsyncClient benchmark (issue 6), one run against one local Flow: sequential
# Client::post calls, 64 concurrent AsyncClient posts on the shared post loop,
# the same with a PostOptions on_done each (run on the callback pool), and the raw
# gRPC floor of 64 concurrent one-request calls. Per cell the median of REPS
# runs; CPU per post for the client (getrusage) and the Flow (/proc), which
# stays comparable when other work loads the machine, unlike docs/s.
# Usage: bench/e2e/async_run.sh [build-dir] (default build/release); REPS=5 DOCS=3000
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build/release}"
reps="${REPS:-5}"
docs="${DOCS:-3000}"
[[ -n "${NO_BUILD:-}" ]] || cmake --build "$build" --target bench_flow_server async_bench grpc_concurrent_floor_bench >/dev/null
results="$(mktemp)"
source "$root/bench/e2e/bench_flow.sh"
trap 'stop_bench_flow; rm -f "$results"' EXIT
start_bench_flow "$build"
ticks="$(getconf CLK_TCK)"
server_cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
run() {  # run <program> <args...>: one JSON line with the Flow's CPU seconds added
  local c0 c1 line
  c0="$(server_cpu)"
  line="$("$@" | grep '^{"client"' || true)"
  c1="$(server_cpu)"
  [[ -n "$line" ]] || { echo "no result from: $*" >&2; return 0; }
  echo "${line%\}}, \"server_cpu_s\": $(awk -v a="$c0" -v b="$c1" -v t="$ticks" 'BEGIN{print (b-a)/t}')}" >>"$results"
}
echo "load before: $(uptime)"
for _ in $(seq 1 "$reps"); do
  run "$build/bench/e2e/async_bench" --port "$port" --docs "$docs" --mode sequential
  run "$build/bench/e2e/async_bench" --port "$port" --docs "$docs" --mode async
  run "$build/bench/e2e/async_bench" --port "$port" --docs "$docs" --mode async-callbacks
  run "$build/bench/e2e/grpc_concurrent_floor_bench" --port "$port" --docs "$docs"
done
echo "load after: $(uptime)"
python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
cells = {}
for r in runs:
    cells.setdefault((r["client"], r["mode"]), []).append(r)
med = lambda rs, f: statistics.median(f(r) for r in rs)
seq = next(v for (c, m), v in cells.items() if m == "sequential posts")
seq_rate = med(seq, lambda r: r["docs_per_s"])
print("| client, mode | docs/s (median) | vs sequential | client CPU µs/post | Flow CPU µs/post |")
print("|---|---:|---:|---:|---:|")
for (client, mode), rs in cells.items():
    rate = med(rs, lambda r: r["docs_per_s"])
    print(f"| {client}, {mode} | {rate:,.0f} | {rate / seq_rate:.1f}x | "
          f"{med(rs, lambda r: r['cpu_s'] / r['docs'] * 1e6):.0f} | "
          f"{med(rs, lambda r: r['server_cpu_s'] / r['docs'] * 1e6):.0f} |")
# The same ratio per repetition (each sequential run against the async run right after it).
print("\nper-repetition speed-up (async / sequential):",
      ", ".join(f"{a['docs_per_s'] / s['docs_per_s']:.1f}x" for s, a in
                zip([r for r in runs if r['mode'] == 'sequential posts'],
                    [r for r in runs if r['mode'] == '64 concurrent posts'])))
PY
