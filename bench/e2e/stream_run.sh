#!/usr/bin/env bash
# Streaming benchmark (stream_doc over gRPC): this library's Client
# (cpp_stream_bench), the raw-gRPC floor (grpc_stream_floor_bench: the
# generated stub's server-streaming reader) and Jina's Python client 3.34
# (python_stream_bench.py, Client(asyncio=True).stream_doc) against the same
# local Flow's /stream endpoint (bench_flow_server), in one run. The three
# alternate run by run (the order rotating) so that the shared machine's load
# hits all alike. Prints the load average and a Markdown table for
# docs/benchmarks.md: per workload and client, the medians of the runs.
# Usage: [REPS=5] [NO_BUILD=1] [VENV=dir] [WORKLOADS='--streams 200 --items 1;...']
#        bench/e2e/stream_run.sh [build-dir]          (default build/release)
#   VENV: a venv with jina 3.34 (default <build-dir>/venv-jina-http, made by
#   tests/interop/setup_venv.sh with requirements-http.txt when it has no python).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(realpath -m "${1:-$root/build/release}")"
cd "$root"
if [[ ! -f "$build/CMakeCache.txt" ]]; then cmake --preset release -B "$build" >/dev/null; fi
if [[ -z "${NO_BUILD:-}" ]]; then
  cmake --build "$build" -j2 --target bench_flow_server cpp_stream_bench grpc_stream_floor_bench >/dev/null
fi
venv="${VENV:-$build/venv-jina-http}"
if [[ -x "$venv/bin/python" ]]; then
  python="$venv/bin/python"
else
  python="$(tests/interop/setup_venv.sh "$venv" tests/interop/requirements-http.txt)"
fi
reps="${REPS:-5}"
out="$(mktemp)"
source bench/e2e/bench_flow.sh
trap 'stop_bench_flow; rm -f "$out"' EXIT
start_bench_flow "$build"

run_once() {  # run_once <client> <args...>
  local client="$1"; shift
  case "$client" in
    floor) "$build/bench/e2e/grpc_stream_floor_bench" --port "$port" "$@" ;;
    cpp) "$build/bench/e2e/cpp_stream_bench" --port "$port" "$@" ;;
    python) JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_stream_bench.py --port "$port" "$@" \
              2>/dev/null | tail -1 ;;
  esac
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
clients=(floor cpp python)
IFS=';' read -ra workloads <<<"${WORKLOADS:---streams 200 --items 1;--streams 10 --items 10000}"
for args in "${workloads[@]}"; do
  for rep in $(seq 0 $((reps - 1))); do
    for i in 0 1 2; do
      # shellcheck disable=SC2086
      run_once "${clients[$(((rep + i) % 3))]}" $args >>"$out"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" - "$out" "$reps" <<'PY'
import json, statistics, sys
cells = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        cells.setdefault((r["streams"], r["items"]), {}).setdefault(r["client"], []).append(r)
def med(runs, f): return statistics.median(f(r) for r in runs)
def first(r): return r["first_p50_ms"]
def cpu(r): return r["cpu_s"] / r["items_received"] * 1e6 if r["items_received"] else float("nan")
def ratio(a, b): return f"{a / b:.2f}x" if b else ""
print(f"\nEach cell: the median of {sys.argv[2]} runs. First item: p50 and p90 over the run's streams.\n")
print("| workload | client | first item p50 ms | p90 ms | p50 vs floor | items/s | vs floor | vs Python "
      "| client CPU µs/item | Python CPU ÷ this | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (streams, items), by in cells.items():  # in the order of WORKLOADS
    floor, py = by.get("grpc-floor"), by.get("python-jina")
    for client in ("grpc-floor", "jina-cpp", "python-jina"):
        runs = by.get(client)
        if not runs:
            continue
        lost = "" if all(r["items_received"] == streams * items for r in runs) else " (LOST ITEMS)"
        ips = med(runs, lambda r: r["items_per_s"])
        print(f"| {streams:,} streams × {items:,} item{'s' if items > 1 else ''} | {client}{lost} | {med(runs, first):.3f} | "
              f"{med(runs, lambda r: r['first_p90_ms']):.3f} | "
              f"{ratio(med(runs, first), med(floor, first)) if floor else ''} | {ips:,.0f} | "
              f"{ratio(ips, med(floor, lambda r: r['items_per_s'])) if floor else ''} | "
              f"{ratio(ips, med(py, lambda r: r['items_per_s'])) if py else ''} | "
              f"{med(runs, cpu):.1f} | {ratio(med(py, cpu), med(runs, cpu)) if py else ''} | "
              f"{med(runs, lambda r: r['peak_rss_mb']):.0f} |")
PY
