#!/usr/bin/env bash
# A/B of two builds of the Client against one real jina 3.34 gRPC Flow
# (tests/interop/jina_flow.py), with the raw-gRPC floor: the three clients
# alternate run by run, so that the shared machine's load hits them alike.
# Prints the median client CPU per Document and docs/s of each, and every
# run's CPU figure (the spread says how loaded the machine was).
# Usage: [REPS=5] [DOCS=2000] [RS=1] bench/interop/ab_run.sh <build-dir> <other-build-dir> [venv-dir]
#   build dirs: release builds with bench/e2e/cpp_client_bench (and, in the
#   first, grpc_floor_bench); venv-dir: as bench/interop/run.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
this="$(realpath "$1")/bench/e2e"
other="$(realpath "$2")/bench/e2e"
venv="$(realpath -m "${3:-$1/venv-jina-http}")"
python="$("$root/tests/interop/setup_venv.sh" "$venv" "$root/tests/interop/requirements-http.txt")"
work="$(mktemp -d)"
flow=0
trap 'if ((flow > 0)); then kill -TERM "$flow" 2>/dev/null; sleep 1; kill -KILL -- "-$flow" 2>/dev/null; fi; rm -rf "$work"' EXIT
setsid "$python" "$root/tests/interop/jina_flow.py" grpc "$work/port" >"$work/flow.log" 2>&1 &
flow=$!
for _ in $(seq 1 1200); do [[ -f "$work/port" ]] && break; sleep 0.1; done
[[ -f "$work/port" ]] || { echo "the Flow did not start"; cat "$work/flow.log"; exit 1; }
port="$(cat "$work/port")"
args=(--port "$port" --protocol grpc --docs "${DOCS:-2000}" --request-size "${RS:-1}")
for _ in $(seq 1 "${REPS:-5}"); do
  "$other/cpp_client_bench" "${args[@]}" | sed 's/^{/{"build": "other", /'
  "$this/cpp_client_bench" "${args[@]}" | sed 's/^{/{"build": "this", /'
  "$this/grpc_floor_bench" "${args[@]}" | sed 's/^{/{"build": "floor", /'
done >"$work/runs.jsonl"
echo "uptime: $(uptime)"
python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs.setdefault(r["build"], []).append(r)
floor = statistics.median(r["cpu_s"] / r["docs"] * 1e6 for r in runs["floor"])
print("| client | CPU µs/doc (median) | vs floor | docs/s | every run's µs/doc |")
print("|---|---:|---:|---:|---|")
for build in ("floor", "this", "other"):
    rs = runs[build]
    cpu = [r["cpu_s"] / r["docs"] * 1e6 for r in rs]
    lost = sum(r["docs"] - r["docs_received"] for r in rs)
    print(f"| {build}{' (LOST DOCS)' if lost else ''} | {statistics.median(cpu):.1f} | "
          f"{statistics.median(cpu) / floor:.2f}x | {statistics.median(r['docs_per_s'] for r in rs):,.0f} | "
          f"{', '.join(f'{c:.0f}' for c in sorted(cpu))} |")
PY
