#!/usr/bin/env bash
# Builds tests/install/subproject, which takes in this checkout with
# FetchContent, and runs its consumer. As a subproject the library builds no
# tests, tools, examples or benchmarks, and writes its generated code into its
# own binary dir, not the consumer's. The build dir is kept (build dir given)
# so that a second run only rebuilds what changed.
# By default only the consumer's own objects are compiled (with the library's
# generated code and usage requirements: C++20, include dirs, -Werror), which
# takes seconds; JINA_SUBPROJECT_FULL=1 also builds the library a second time
# (about 5 min on 2 idle cores), links the consumer and runs it.
set -euo pipefail
dir="$1"
test_dir="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$test_dir/../.." && pwd)"
# No build type: no optimization nor debug info, the quickest library build.
cmake -S "$test_dir/subproject" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE= \
      -DJINA_SOURCE_DIR="$source_dir" >/dev/null
if [[ -e $dir/generated ]]; then
  echo "FAIL: the library wrote generated code into the consumer's build dir"; exit 1
fi
for sub in tests examples bench fuzz; do
  [[ ! -e $dir/_deps/jina-build/$sub ]] || { echo "FAIL: a subproject builds $sub/"; exit 1; }
done
targets="$(ninja -C "$dir" -t targets all)"
if grep -E 'jina-post|jina-flow|layer_check' <<<"$targets"; then
  echo "FAIL: a subproject builds the tools or the layer checks"; exit 1
fi
if [[ -n ${JINA_SUBPROJECT_FULL:-} ]]; then
  cmake --build "$dir" --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-2}" >/dev/null
else
  mapfile -t objects < <(sed -n 's/^\(CMakeFiles\/consumer\.dir\/[^:]*\.o\): .*/\1/p' <<<"$targets")
  ((${#objects[@]} == 2)) || { echo "FAIL: expected the consumer's 2 objects: ${objects[*]}"; exit 1; }
  ninja -C "$dir" "${objects[@]}" >/dev/null
fi
[[ -d $dir/_deps/jina-build/generated ]] || { echo "FAIL: no generated code in the library's binary dir"; exit 1; }
if [[ -n ${JINA_SUBPROJECT_FULL:-} ]]; then "$dir/consumer"; fi
echo "OK"
