#!/usr/bin/env bash
# The README's path for the command-line tools: install the built tree into a
# temporary prefix, start the installed jina-flow, wait for the address it
# prints, check --ready, post an NDJSON file with the installed jina-post and
# check the results file; then stop the Flow with SIGTERM.
set -euo pipefail
build_dir="$1"
work="$(mktemp -d)"
flow_pid=""
cleanup() {
  if [[ -n $flow_pid ]]; then kill "$flow_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
bin="$work/prefix/bin"
"$bin/jina-post" --version
# The installed tools load the installed library, not the build tree's.
if ldd "$bin/jina-post" | grep libjina | grep -qv "$work/prefix"; then
  echo "FAIL: the installed jina-post loads libjina from outside the prefix"; ldd "$bin/jina-post"; exit 1
fi

"$bin/jina-flow" --port 0 --executor upper >"$work/flow.out" 2>"$work/flow.err" &
flow_pid=$!
for _ in $(seq 300); do
  [[ -s $work/flow.out ]] && break
  kill -0 "$flow_pid" 2>/dev/null || { echo "FAIL: jina-flow exited"; cat "$work/flow.err"; exit 1; }
  sleep 0.1
done
address="$(head -n1 "$work/flow.out")"
[[ $address == grpc://* ]] || { echo "FAIL: no address from jina-flow"; cat "$work/flow.err"; exit 1; }
echo "== jina-flow at $address"

"$bin/jina-post" "$address" --ready
printf '{"id": "1", "text": "hello"}\n{"id": "2", "text": "world"}\n' >"$work/in.jsonl"
"$bin/jina-post" "$address" /index --ndjson "$work/in.jsonl" --request-size 1 --in-order \
  --out "$work/results.jsonl"
cat "$work/results.jsonl"
[[ $(wc -l <"$work/results.jsonl") -eq 2 ]] || { echo "FAIL: expected 2 results"; exit 1; }
grep -q '"text":"HELLO"' "$work/results.jsonl" || { echo "FAIL: HELLO missing"; exit 1; }
grep -q '"text":"WORLD"' "$work/results.jsonl" || { echo "FAIL: WORLD missing"; exit 1; }

kill -TERM "$flow_pid"
wait "$flow_pid"  # set -e: a non-zero exit of jina-flow fails the test
flow_pid=""
echo "OK"
