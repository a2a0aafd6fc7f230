#!/usr/bin/env bash
# End-to-end benchmark: jina-cpp's Client, the hand-written gRPC floor and
# Jina's Python client (3.34, pinned venv), one after the other against the
# same local Flow (gRPC, HTTP and WebSocket on their own ports), in one run.
# Prints a Markdown table for docs/benchmarks.md.
# Usage: [REPS=5] [ROWS="grpc web"] [NO_BUILD=1] bench/e2e/run.sh [build-dir]   (default build/release)
#   ROWS=web: only the HTTP and WebSocket rows (issue 5); ROWS=grpc: only gRPC.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build/release}"
cd "$root"
if [[ ! -f "$build/CMakeCache.txt" ]]; then cmake --preset release -B "$build" >/dev/null; fi
if [[ -z "${NO_BUILD:-}" ]]; then  # NO_BUILD=1: use the binaries as they are
  cmake --build "$build" -j2 --target bench_flow_server cpp_client_bench grpc_floor_bench >/dev/null
fi
python="$(tests/interop/setup_venv.sh "$build/venv-jina")"

source bench/e2e/bench_flow.sh
trap stop_bench_flow EXIT
start_bench_flow "$build"

results="$(mktemp)"
reps="${REPS:-5}"  # each cell is the median of this many runs: the machine is shared and noisy
run() {  # run <client> <args...>
  local client="$1"; shift
  for _ in $(seq 1 "$reps"); do run_once "$client" "$@"; done
}
run_once() {
  local client="$1"; shift
  case "$client" in
    floor) "$build/bench/e2e/grpc_floor_bench" --port "$port" "$@" ;;
    cpp) "$build/bench/e2e/cpp_client_bench" --port "$port" "$@" ;;
    # One malloc arena: shows how much of the RSS growth is glibc's per-thread arenas.
    cpp-one-arena) MALLOC_ARENA_MAX=1 "$build/bench/e2e/cpp_client_bench" --port "$port" "$@" |
                     sed 's/"client": *"jina-cpp"/"client":"jina-cpp, MALLOC_ARENA_MAX=1"/' ;;
    python) JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_client_bench.py --port "$port" "$@" 2>/dev/null | tail -1 ;;
    cpp-http) "$build/bench/e2e/cpp_client_bench" --port "$http_port" --protocol http "$@" ;;
    cpp-websocket) "$build/bench/e2e/cpp_client_bench" --port "$ws_port" --protocol websocket "$@" ;;
    python-http) JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_client_bench.py --port "$http_port" \
                   --protocol http "$@" 2>/dev/null | tail -1 ;;
    python-websocket) JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_client_bench.py --port "$ws_port" \
                        --protocol websocket "$@" 2>/dev/null | tail -1 ;;
  esac >>"$results"
}

rows="${ROWS:-grpc web}"
if [[ " $rows " == *" grpc "* ]]; then
  for client in floor cpp python; do run "$client" --docs 10000 --request-size 100; done
  for client in floor cpp; do reps=1 run "$client" --docs 1000000 --request-size 100; done
  for docs in 10000 1000000; do reps=1 run cpp-one-arena --docs "$docs" --request-size 100; done
  for client in floor cpp python; do run "$client" --docs 2000 --request-size 1; done
  for client in floor cpp python; do run "$client" --docs 500 --request-size 1 --mode latency; done
fi
if [[ " $rows " == *" web "* ]]; then
  # C++ and Python clients alternate per repetition, so that load changes on
  # the shared machine hit both alike.
  for _ in $(seq 1 "$reps"); do
    for client in cpp-http python-http cpp-websocket python-websocket; do
      run_once "$client" --docs 10000 --request-size 100
      run_once "$client" --docs 2000 --request-size 1
    done
  done
fi

"$python" - "$results" "$reps" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def key(r): return (r.get("protocol", "grpc"), r["mode"], r["docs"], r["request_size"])
groups = {}
for r in runs:
    groups.setdefault((r["client"],) + key(r), []).append(r)
rows = []
for g in groups.values():  # the run with the median docs/s stands for its cell
    g.sort(key=lambda r: r["docs_per_s"])
    rows.append(g[len(g) // 2])
floor = {key(r): r for r in rows if r["client"] == "grpc-floor"}
order = {"grpc": 0, "http": 1, "websocket": 2}
rows.sort(key=lambda r: (order[r.get("protocol", "grpc")], r["mode"] == "latency",
                         r["request_size"] == 1, r["docs"]))
py = {key(r): r for r in rows if r["client"] == "python-jina"}
print(f"Each cell: the median of {sys.argv[2]} runs (1 for the 1,000,000-doc rows).\n")
print("| workload | client | docs/s | vs floor | vs Python | client CPU µs/doc | p50 ms | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for r in rows:
    k = key(r)
    wl = f"{r.get('protocol', 'grpc')} {r['mode']} {r['docs']:,} docs, request_size {r['request_size']}"
    vs_floor = f"{r['docs_per_s'] / floor[k]['docs_per_s']:.2f}x" if k in floor else ""
    vs_py = f"{r['docs_per_s'] / py[k]['docs_per_s']:.1f}x" if k in py else "n/a"
    p50 = f"{r['p50_ms']:.2f}" if "p50_ms" in r else ""
    ok = "" if r["docs_received"] == r["docs"] else " (LOST DOCS)"
    print(f"| {wl} | {r['client']}{ok} | {r['docs_per_s']:,.0f} | {vs_floor} | {vs_py} | "
          f"{r['cpu_s'] / r['docs'] * 1e6:.1f} | {p50} | {r['peak_rss_mb']:.0f} |")
PY
