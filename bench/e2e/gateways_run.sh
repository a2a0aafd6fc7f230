#!/usr/bin/env bash
# Several gateways (issue 17): one Client against 1, 2 and 3 local Flows
# standing for gateway replicas, each serving one request at a time with an
# Executor that sleeps 10 ms per request (so the machine's two cores are not
# the limit). This library's Client lists the gateways (ClientOptions::hosts);
# Jina's Python client 3.34 takes one host, so it runs against one gateway, as
# does the raw-gRPC floor (grpc_floor_bench: the generated stub, one stream).
# Each run posts DOCS one-Document requests; the clients alternate run by
# run. Prints one JSON line per run and a Markdown table of the medians.
# Usage: [REPS=3] [DOCS=600] [PROTOCOLS='grpc http'] [NO_BUILD=1] [VENV=dir]
#        bench/e2e/gateways_run.sh [build-dir]          (default build/release)
set -euo pipefail
source "$(dirname "$0")/setup.sh"
bench_setup "${1:-}" bench_flow_server cpp_client_bench grpc_floor_bench
reps="${REPS:-3}" docs="${DOCS:-600}"
out="$(mktemp)"
source bench/e2e/bench_flow.sh
declare -a servers=() grpc_ports=() http_ports=()
cleanup() {
  for s in "${servers[@]}"; do kill "$s" 2>/dev/null || true; wait "$s" 2>/dev/null || true; done
  rm -f "$out"
}
trap cleanup EXIT
for _ in 1 2 3; do
  log="$(mktemp)"
  "$build/bench/e2e/bench_flow_server" --sleep-ms 10 --workers 1 >"$log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 100); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
  grpc_ports+=("$(awk '/^PORT /{print $2}' "$log")")
  http_ports+=("$(awk '/^HTTP_PORT /{print $2}' "$log")")
  rm -f "$log"
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for protocol in ${PROTOCOLS:-grpc http}; do
  if [[ "$protocol" == grpc ]]; then ports=("${grpc_ports[@]}"); else ports=("${http_ports[@]}"); fi
  common=(--docs "$docs" --request-size 1 --protocol "$protocol")
  for rep in $(seq 1 "$reps"); do
    for gateways in 1 2 3; do
      more="$(IFS=,; echo "${ports[*]:1:$((gateways - 1))}")"
      extra=()
      [[ -n "$more" ]] && extra=(--more-ports "$more")
      "$build/bench/e2e/cpp_client_bench" --port "${ports[0]}" "${common[@]}" "${extra[@]}" |
        sed "s/^{/{\"gateways\": $gateways, /" | tee -a "$out"
    done
    if [[ "$protocol" == grpc ]]; then
      "$build/bench/e2e/grpc_floor_bench" --port "${ports[0]}" "${common[@]}" |
        sed 's/^{/{"gateways": 1, /' | tee -a "$out"
    fi
    JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_client_bench.py --port "${ports[0]}" \
      "${common[@]}" 2>/dev/null | tail -1 | sed 's/^{/{"gateways": 1, /' | tee -a "$out"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
groups = {}
for r in rows:
    groups.setdefault((r.get("protocol", "grpc"), r["client"], r["gateways"]), []).append(r)
print("| protocol | client | gateways | docs/s (median) | vs this library, 1 gateway | CPU ms per request |")
print("|---|---|---:|---:|---:|---:|")
for (protocol, client, gateways), rs in sorted(groups.items()):
    rate = statistics.median(r["docs_per_s"] for r in rs)
    base = groups.get((protocol, "jina-cpp", 1))
    base_rate = statistics.median(r["docs_per_s"] for r in base) if base else float("nan")
    cpu = statistics.median(r["cpu_s"] / r["docs"] * 1000 for r in rs)
    print(f"| {protocol} | {client} | {gateways} | {rate:.0f} | {rate / base_rate:.2f}x | {cpu:.3f} |")
PY
