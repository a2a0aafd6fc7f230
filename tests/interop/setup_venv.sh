#!/usr/bin/env bash
# Creates (once; reused while requirements-v2.txt is unchanged) a Python
# virtual environment with jina 3.34.0 and docarray v2, pinned exactly, for
# the interoperability tests and the side-by-side benchmarks.
# Usage: tests/interop/setup_venv.sh <venv-dir> [requirements-file]
#   (prints the venv's python; the default requirements are requirements-v2.txt,
#   requirements-http.txt pins pydantic 1, which jina's HTTP gateway needs)
# Fails loudly when the install fails: interop tests never skip silently.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:?usage: setup_venv.sh <venv-dir>}"
req="${2:-$here/requirements-v2.txt}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv" >&2
# --no-deps: the file pins the whole resolved set; pip's resolver needs
# minutes to find it again (jina's OpenTelemetry ranges conflict unpinned).
"$venv/bin/pip" install --quiet --no-deps -r "$req" >&2
"$venv/bin/python" -c "import jina, docarray; assert jina.__version__ == '3.34.0', jina.__version__" >&2
echo "$want" >"$stamp"
echo "$venv/bin/python"
