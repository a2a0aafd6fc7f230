# Sourced by the bench/interop scripts: start_jina_flow <python> <protocol>
# starts tests/interop/jina_flow.py (a real jina 3.34 Flow) in its own
# process group and sets `port`; stop_jina_flow ends it and its gateway and
# Executor processes. Callers call stop_jina_flow in their EXIT trap.
jina_flow=0
jina_flow_dir="$(mktemp -d)"
start_jina_flow() {
  rm -f "$jina_flow_dir/port"
  setsid "$1" "$(dirname "${BASH_SOURCE[0]}")/../../tests/interop/jina_flow.py" "$2" \
    "$jina_flow_dir/port" >"$jina_flow_dir/flow.log" 2>&1 &
  jina_flow=$!
  for _ in $(seq 1 1200); do [[ -f "$jina_flow_dir/port" ]] && break; sleep 0.1; done
  [[ -f "$jina_flow_dir/port" ]] || { echo "the $2 Flow did not start"; cat "$jina_flow_dir/flow.log"; exit 1; }
  port="$(cat "$jina_flow_dir/port")"
}
stop_jina_flow() {
  if ((jina_flow > 0)); then
    kill -TERM "$jina_flow" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$jina_flow" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$jina_flow" 2>/dev/null || true  # its gateway/Executor processes, if left
    wait "$jina_flow" 2>/dev/null || true
    jina_flow=0
  fi
}
