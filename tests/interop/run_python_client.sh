#!/usr/bin/env bash
# Starts the C++ local Flow (cpp_flow_server), then has Jina's Python client
# (from a venv made by setup_venv.sh) post to it over one protocol, in the
# venv's docarray format (v1 or v2).
# Usage: run_python_client.sh <server-binary> <venv-dir> <requirements-file>
#          <grpc|http|websocket> <v2|v1> [cells-file]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="$1"
python="$("$here/setup_venv.sh" "$2" "$3")"
protocol="$4"
format="$5"
cells="${6:-}"
log="$(mktemp)"
"$server" "$format" "$protocol" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$log" && break
  sleep 0.1
done
port="$(awk '/^PORT /{print $2}' "$log")"
[[ -n "$port" ]] || { echo "server did not start:"; cat "$log"; exit 1; }
JINA_LOG_LEVEL=ERROR timeout 120 "$python" "$here/python_client_to_cpp_flow.py" "$port" "$protocol" $cells
