#!/usr/bin/env bash
# Builds the Debian package of the built tree (cpack -G DEB), checks what it
# holds and depends on, that apt would install it on this machine, and builds
# and runs tests/install/consumer against its files (unpacked, not installed:
# the test leaves the system as it was).
set -euo pipefail
build_dir="$1"
source_dir="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cpack --config "$build_dir/CPackConfig.cmake" -B "$work" >/dev/null
deb="$(ls "$work"/*.deb)"
echo "== $(basename "$deb"), $(du -h "$deb" | cut -f1)"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
# What dpkg-shlibdeps found in the ELF files, and the -dev packages set by hand.
for needed in "libc6 (>=" "libgrpc++1" "libprotobuf[0-9]" "libssl3" "libgrpc++-dev" "nlohmann-json3-dev"; do
  grep -q "$needed" <<<"$depends" || { echo "FAIL: Depends names no $needed"; exit 1; }
done
contents="$(dpkg-deb -c "$deb")"
libdir="$(grep -o '\./usr/lib[^ ]*/libjina\.so\.0 ' <<<"$contents" | head -n1 | sed 's|^\./||; s|/libjina\.so\.0 $||')"
[[ -n $libdir ]] || { echo "FAIL: the package has no libjina.so.0"; exit 1; }
for path in usr/include/jina/client.h "$libdir/libjina.so" "$libdir/libjina.a" "$libdir/cmake/jina/jinaConfig.cmake" \
            "$libdir/pkgconfig/jina.pc" "$libdir/pkgconfig/jina-static.pc" usr/bin/jina-post usr/bin/jina-flow; do
  grep -q "\./$path\$\|\./$path " <<<"$contents" || { echo "FAIL: the package has no /$path"; exit 1; }
done
# Every dependency resolves here (a dry run; nothing is installed).
if command -v apt-get >/dev/null; then
  apt-get install --simulate --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
    { echo "FAIL: apt cannot install the package:"; cat "$work/apt.log"; exit 1; }
fi
dpkg-deb -x "$deb" "$work/root"
echo "== consumer against the package's files"
cmake -S "$source_dir/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/root/usr" \
      -DJINA_TARGET=jina::jina >/dev/null
cmake --build "$work/build" >/dev/null
LD_LIBRARY_PATH="$work/root/$libdir" "$work/build/consumer"
