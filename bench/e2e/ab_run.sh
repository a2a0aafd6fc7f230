#!/usr/bin/env bash
# A/B of two builds of the Client against one local Flow: the hand-written
# floor, this tree's cpp_client_bench and another tree's, alternating run by
# run so that the shared machine's load hits all three alike. Prints one
# markdown row per (workload, client): median docs/s and client CPU per doc.
# PROTOCOL=http or websocket: the Client over that gateway of the same Flow
# (the floor is gRPC only, so it is left out).
# Usage: [REPS=5] [PROTOCOL=grpc] [WORKLOADS='--docs 100000 --request-size 100'] bench/e2e/ab_run.sh <build-dir> <other-build-dir>
#   e.g. git worktree add ../base <commit> && (cd ../base && cmake --preset release &&
#        cmake --build build/release --target cpp_client_bench)
#        bench/e2e/ab_run.sh build/release ../base/build/release
set -euo pipefail
new="$1/bench/e2e"
old="$2/bench/e2e"
reps="${REPS:-5}"
protocol="${PROTOCOL:-grpc}"
out="$(mktemp)"
source "$(dirname "$0")/bench_flow.sh"
trap 'stop_bench_flow; rm -f "$out"' EXIT
start_bench_flow "$1"
case "$protocol" in
  http) client_port="$http_port" ;;
  websocket) client_port="$ws_port" ;;
  *) client_port="$port" ;;
esac
# WORKLOADS: ';'-separated cpp_client_bench arguments (longer runs are less noisy).
IFS=';' read -ra workloads <<<"${WORKLOADS:---docs 10000 --request-size 100;--docs 2000 --request-size 1}"
for args in "${workloads[@]}"; do
  for _ in $(seq 1 "$reps"); do
    # shellcheck disable=SC2086
    {
      if [[ "$protocol" == grpc ]]; then
        echo "floor|$args|$("$new/grpc_floor_bench" --port "$port" $args)"
      fi
      echo "this|$args|$("$new/cpp_client_bench" --port "$client_port" --protocol "$protocol" $args)"
      echo "other|$args|$("$old/cpp_client_bench" --port "$client_port" --protocol "$protocol" $args)"
    } >>"$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
cells = {}
for line in open(sys.argv[1]):
    who, args, result = line.rstrip("\n").split("|", 2)
    cells.setdefault((args, who), []).append(json.loads(result))
print("| workload | client | docs/s | client CPU µs/doc |")
print("|---|---|---:|---:|")
for (args, who), runs in sorted(cells.items()):
    dps = statistics.median(r["docs_per_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] / r["docs"] * 1e6 for r in runs)
    print(f"| {args} | {who} | {dps:,.0f} | {cpu:.1f} |")
PY
