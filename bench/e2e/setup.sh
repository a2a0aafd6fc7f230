# Sourced by the bench/e2e/*_run.sh scripts: `bench_setup BUILD_DIR TARGET...`
# sets `root` (the checkout, also the working directory), `build` (BUILD_DIR,
# default build/release, configured if new), builds TARGET... unless NO_BUILD
# is set, and sets `python` to a venv with jina 3.34 (VENV, default
# <build>/venv-jina-http, made by tests/interop/setup_venv.sh when it has none).
bench_setup() {
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  build="$(realpath -m "${1:-$root/build/release}")"
  shift
  cd "$root"
  if [[ ! -f "$build/CMakeCache.txt" ]]; then cmake --preset release -B "$build" >/dev/null; fi
  if [[ -z "${NO_BUILD:-}" ]]; then cmake --build "$build" -j2 --target "$@" >/dev/null; fi
  local venv="${VENV:-$build/venv-jina-http}"
  if [[ -x "$venv/bin/python" ]]; then
    python="$venv/bin/python"
  else
    python="$(tests/interop/setup_venv.sh "$venv" tests/interop/requirements-http.txt)"
  fi
}
