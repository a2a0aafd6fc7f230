#!/usr/bin/env bash
# Starts the C++ local Flow (cpp_flow_server), then has Jina's Python client
# (from the pinned venv) post to it over one protocol.
# Usage: run_python_client.sh <server-binary> <venv-dir> [grpc|http|websocket]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="$1"
python="$("$here/setup_venv.sh" "$2")"
protocol="${3:-grpc}"
log="$(mktemp)"
"$server" v2 "$protocol" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$log" && break
  sleep 0.1
done
port="$(awk '/^PORT /{print $2}' "$log")"
[[ -n "$port" ]] || { echo "server did not start:"; cat "$log"; exit 1; }
JINA_LOG_LEVEL=ERROR timeout 120 "$python" "$here/python_client_to_cpp_flow.py" "$port" "$protocol"
