# Sourced by the bench scripts: start_bench_flow <build-dir> starts
# bench_flow_server in the background and sets `server` (its pid), `port`,
# `http_port` and `ws_port`; stop_bench_flow ends it. Callers put
# stop_bench_flow in their EXIT trap.
start_bench_flow() {
  bench_flow_log="$(mktemp)"
  "$1/bench/e2e/bench_flow_server" >"$bench_flow_log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do grep -q '^PORT ' "$bench_flow_log" && break; sleep 0.1; done
  port="$(awk '/^PORT /{print $2}' "$bench_flow_log")"
  http_port="$(awk '/^HTTP_PORT /{print $2}' "$bench_flow_log")"
  ws_port="$(awk '/^WEBSOCKET_PORT /{print $2}' "$bench_flow_log")"
}
stop_bench_flow() {  # once started; again or before any start, nothing
  if ((${server:-0} > 0)); then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -f "$bench_flow_log"
    server=0
  fi
}
