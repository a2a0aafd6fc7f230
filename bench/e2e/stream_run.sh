#!/usr/bin/env bash
# Streaming benchmark (stream_doc): this library's Client (cpp_stream_bench),
# the raw-gRPC floor (grpc_stream_floor_bench: the generated stub's
# server-streaming reader) and Jina's Python client 3.34
# (python_stream_bench.py, Client(asyncio=True).stream_doc) against the same
# Flow, in one run. The clients alternate run by run (the order rotating) so
# that the shared machine's load hits all alike. Prints the load average and
# a Markdown table for docs/benchmarks.md (stream_table.py): per workload and
# client, the medians of the runs.
#   FLOW=local (default): the local Flow's /stream (bench_flow_server), gRPC.
#   FLOW=jina: a real jina 3.34 Flow (tests/interop/jina_flow.py, its Python
#   generator /stream_n), over gRPC and over HTTP (Server-Sent Events; no floor).
# Usage: [FLOW=local|jina] [REPS=5] [NO_BUILD=1] [VENV=dir] [WORKLOADS='--streams 200 --items 1;...']
#        bench/e2e/stream_run.sh [build-dir]          (default build/release)
#   VENV: a venv with jina 3.34 (default <build-dir>/venv-jina-http, made by
#   tests/interop/setup_venv.sh with requirements-http.txt when it has no python).
set -euo pipefail
source "$(dirname "$0")/setup.sh"
bench_setup "${1:-}" bench_flow_server cpp_stream_bench grpc_stream_floor_bench
reps="${REPS:-5}"
out="$(mktemp)"
source bench/e2e/bench_flow.sh
source bench/interop/jina_flow.sh
trap 'stop_bench_flow; stop_jina_flow; rm -rf "$out" "$jina_flow_dir"' EXIT
if [[ "${FLOW:-local}" == jina ]]; then
  endpoint=/stream_n protocols=(grpc http)
  default_workloads='--streams 100 --items 1;--streams 5 --items 2000'
else
  endpoint=/stream protocols=(grpc)
  default_workloads='--streams 200 --items 1;--streams 10 --items 10000'
fi

run_once() {  # run_once <client> <protocol> <args...>
  local client="$1" protocol="$2"; shift 2
  local common=(--port "$port" --endpoint "$endpoint" --protocol "$protocol")
  case "$client" in
    floor) "$build/bench/e2e/grpc_stream_floor_bench" "${common[@]}" "$@" ;;
    cpp) "$build/bench/e2e/cpp_stream_bench" "${common[@]}" "$@" ;;
    python) JINA_LOG_LEVEL=ERROR "$python" bench/e2e/python_stream_bench.py "${common[@]}" "$@" \
              2>/dev/null | tail -1 ;;
  esac
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=';' read -ra workloads <<<"${WORKLOADS:-$default_workloads}"
for protocol in "${protocols[@]}"; do
  clients=(cpp python)
  [[ "$protocol" == grpc ]] && clients=(floor cpp python)
  n=${#clients[@]}
  if [[ "$endpoint" == /stream ]]; then start_bench_flow "$build"; else start_jina_flow "$python" "$protocol"; fi
  for args in "${workloads[@]}"; do
    for rep in $(seq 0 $((reps - 1))); do
      for i in $(seq 0 $((n - 1))); do
        client="${clients[$(((rep + i) % n))]}"
        # shellcheck disable=SC2086
        run_once "$client" "$protocol" $args >>"$out" || echo "failed: $client $protocol $args" >&2
      done
    done
  done
  if [[ "$endpoint" == /stream ]]; then stop_bench_flow; else stop_jina_flow; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$python" bench/e2e/stream_table.py "$out" "$reps"
