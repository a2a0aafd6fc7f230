#!/usr/bin/env bash
# The C++ Client (bench/e2e/cpp_client_bench) and Jina's Python client
# (bench/e2e/python_client_bench.py) side by side against the SAME real
# jina 3.34 Flow (tests/interop/jina_flow.py: one Executor upper-casing
# TextDoc.text), per protocol, in one run (issue 7), and over gRPC the raw
# gRPC floor (bench/e2e/grpc_floor_bench: generated stub, no library). Prints
# a Markdown table for docs/benchmarks.md.
# Usage: bench/interop/run.sh [build-dir] [venv-dir]
#   build-dir: a release build (default build/release); venv-dir: made by
#   tests/interop/setup_venv.sh with requirements-http.txt (default
#   <build-dir>/venv-jina-http). REPS=n runs each cell n times (median).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(realpath -m "${1:-$root/build/release}")"
venv="$(realpath -m "${2:-$build/venv-jina-http}")"
cd "$root"
if [[ ! -f "$build/CMakeCache.txt" ]]; then cmake --preset release -B "$build" >/dev/null; fi
# NO_BUILD=1 uses the cpp_client_bench already built (e.g. while others rebuild).
[[ -n "${NO_BUILD:-}" ]] || cmake --build "$build" -j2 --target cpp_client_bench grpc_floor_bench >/dev/null
python="$(tests/interop/setup_venv.sh "$venv" tests/interop/requirements-http.txt)"
reps="${REPS:-3}"
work="$(mktemp -d)"
source bench/interop/jina_flow.sh
trap 'stop_jina_flow; rm -rf "$work" "$jina_flow_dir"' EXIT
results="$work/results.jsonl"

for protocol in grpc http websocket; do
  start_jina_flow "$python" "$protocol"
  for shape in "10000 100" "2000 1"; do
    set -- $shape
    for _ in $(seq 1 "$reps"); do
      # Alternate the clients so that drift in the machine's load hits both.
      "$build/bench/e2e/cpp_client_bench" --port "$port" --protocol "$protocol" --docs "$1" \
        --request-size "$2" | sed "s/^{/{\"protocol\": \"$protocol\", /" >>"$results"
      JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_client_bench.py --port "$port" \
        --protocol "$protocol" --docs "$1" --request-size "$2" 2>/dev/null | tail -1 >>"$results"
      if [[ "$protocol" == grpc ]]; then  # the raw-gRPC floor: what any C++ client pays
        "$build/bench/e2e/grpc_floor_bench" --port "$port" --docs "$1" --request-size "$2" |
          sed "s/^{/{\"protocol\": \"$protocol\", /" >>"$results"
      fi
    done
  done
  stop_jina_flow
done

cp "$results" "$build/bench-interop-results.jsonl"  # the raw runs, kept
echo "uptime: $(uptime)"
python3 - "$results" "$reps" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
groups = {}
for r in runs:
    groups.setdefault((r["protocol"], r["docs"], r["request_size"], r["client"]), []).append(r)
med = {}
for k, g in groups.items():  # the run with the median docs/s stands for its cell
    g.sort(key=lambda r: r["docs_per_s"])
    med[k] = g[len(g) // 2]
print(f"Each cell: the median of {sys.argv[2]} runs; both clients against the same Flow process.\n")
print("| protocol | docs, request_size | client | docs/s | client CPU s | CPU µs/doc | vs Python docs/s | Python CPU / this CPU |")
print("|---|---|---|---:|---:|---:|---:|---:|")
ok = True
for proto in ("grpc", "http", "websocket"):
    for docs, rs in ((10000, 100), (2000, 1)):
        c, p = med.get((proto, docs, rs, "jina-cpp")), med.get((proto, docs, rs, "python-jina"))
        f = med.get((proto, docs, rs, "grpc-floor"))
        for r in (c, p, f):
            if r is None:
                continue
            lost = "" if r["docs_received"] == r["docs"] else " (LOST DOCS)"
            speed = cpu = ""
            if r is not p and p:
                speed = f"{r['docs_per_s'] / p['docs_per_s']:.2f}x"
                cpu = f"{p['cpu_s'] / max(r['cpu_s'], 1e-9):.1f}x"
            if r is c and p:
                ok &= c["docs_per_s"] >= p["docs_per_s"] and p["cpu_s"] >= 10 * c["cpu_s"]
            print(f"| {proto} | {docs:,}, {rs} | {r['client']}{lost} | {r['docs_per_s']:,.0f} | "
                  f"{r['cpu_s']:.2f} | {r['cpu_s'] / r['docs'] * 1e6:.0f} | {speed} | {cpu} |")
print(f"\nTargets (C++ docs/s >= Python's, CPU/doc >= 10x lower) {'met' if ok else 'NOT met'} on every row.")
PY
