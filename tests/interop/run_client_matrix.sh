#!/usr/bin/env bash
# jina::Client against a real jina 3.34 Flow (matrix_flow.py) over one
# protocol in one docarray format; appends CELL lines to <cells-file>.
# Usage: run_client_matrix.sh <client_matrix_test> <venv-dir> <requirements-file>
#          <grpc|http|websocket> <v2|v1> <cells-file>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export JINA_INTEROP_PYTHON="$("$here/setup_venv.sh" "$2" "$3")"
export JINA_INTEROP_FLOW_SCRIPT="$here/matrix_flow.py"
export JINA_INTEROP_PROTOCOL="$4" JINA_INTEROP_FORMAT="$5" JINA_INTEROP_CELLS="$6"
exec timeout 300 "$1"
