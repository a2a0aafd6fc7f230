#!/usr/bin/env bash
# Starts the C++ local Flow (cpp_flow_server), then has Jina's Python client
# (from a venv made by setup_venv.sh) post to it over one protocol, in the
# venv's docarray format (v1 or v2). With `tls`, the Flow serves grpcs/https/wss
# with a certificate of a test CA that the client trusts (through the
# default-roots variables of Python's ssl and of gRPC: jina's Client takes no
# CA file), and every check counts for the `tls` cell.
# Usage: run_python_client.sh <server-binary> <venv-dir> <requirements-file>
#          <grpc|http|websocket> <v2|v1> [cells-file] [tls]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="$1"
python="$("$here/setup_venv.sh" "$2" "$3")"
protocol="$4"
format="$5"
cells="${6:-}"
tls="${7:-}"
scratch="$(mktemp -d)"
log="$scratch/server.log"
server_args=("$format" "$protocol")
if [[ "$tls" == "tls" ]]; then
  (
    cd "$scratch"
    echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >san.cnf
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jina-test-ca \
      -keyout ca.key -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
      -extfile san.cnf -out server.pem
  ) >/dev/null 2>&1 || { echo "openssl failed"; exit 1; }
  server_args+=("$scratch/server.pem" "$scratch/server.key")
  export JINA_INTEROP_TLS=1 SSL_CERT_FILE="$scratch/ca.pem" \
    GRPC_DEFAULT_SSL_ROOTS_FILE_PATH="$scratch/ca.pem"
fi
"$server" "${server_args[@]}" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$log" && break
  sleep 0.1
done
port="$(awk '/^PORT /{print $2}' "$log")"
[[ -n "$port" ]] || { echo "server did not start:"; cat "$log"; exit 1; }
JINA_LOG_LEVEL=ERROR timeout 120 "$python" "$here/python_client_to_cpp_flow.py" "$port" "$protocol" $cells
