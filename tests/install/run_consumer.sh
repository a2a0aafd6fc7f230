#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, then builds and runs
# tests/install/consumer against it four ways: find_package(jina CONFIG) with
# jina::jina (shared) and jina::jina_static, and pkg-config with the compiler
# alone (jina, and jina-static for the static library). None sets a C++
# standard (the targets and the .pc files carry C++20), and all
# compile with -Wall -Wextra -Werror, with designated initializers of every
# public aggregate (consumer/aggregates.cc).
set -euo pipefail
build_dir="$1"
source_dir="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
for target in jina::jina jina::jina_static; do
  echo "== cmake, $target"
  dir="$work/build-${target#jina::}"
  cmake -S "$source_dir/consumer" -B "$dir" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
        -DJINA_TARGET="$target" >/dev/null
  cmake --build "$dir" >/dev/null
  if [[ $target == jina::jina_static ]] && ldd "$dir/consumer" | grep -q libjina; then
    echo "FAIL: the static consumer loads libjina.so"; exit 1
  fi
  "$dir/consumer"
done
echo "== pkg-config"
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046
g++ -Wall -Wextra -Werror "$source_dir/consumer/main.cc" "$source_dir/consumer/aggregates.cc" \
    -o "$work/consumer-pc" $(pkg-config --cflags --libs jina) \
    -Wl,-rpath,"$(pkg-config --variable=libdir jina)"
"$work/consumer-pc"
echo "== pkg-config, jina-static"
# shellcheck disable=SC2046
g++ -Wall -Wextra -Werror "$source_dir/consumer/main.cc" "$source_dir/consumer/aggregates.cc" \
    -o "$work/consumer-pc-static" $(pkg-config --cflags --libs jina-static)
if ldd "$work/consumer-pc-static" | grep -q libjina; then
  echo "FAIL: the jina-static consumer loads libjina.so"; exit 1
fi
"$work/consumer-pc-static"
