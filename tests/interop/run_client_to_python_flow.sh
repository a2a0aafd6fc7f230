#!/usr/bin/env bash
# jina::Client over gRPC/HTTP/WebSocket (plain and TLS) against real Python
# jina Flows: builds the venv once (requirements-http.txt), then runs the
# test; the TLS tests append CELL lines to <cells-file>.
# Usage: run_client_to_python_flow.sh <client_to_python_flow_test> <venv-dir> [cells-file]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="$("$here/setup_venv.sh" "$2" "$here/requirements-http.txt")"
export JINA_INTEROP_PYTHON="$python"
export JINA_INTEROP_FLOW_SCRIPT="$here/jina_flow.py"
export JINA_INTEROP_CELLS="${3:-}"
exec timeout 280 "$1"
