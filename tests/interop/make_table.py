"""Assembles docs/interop.md from the CELL lines the interop tests wrote.

Usage: python3 make_table.py <cells-dir> <output.md> [<copy-to.md>]
Each *.cells file holds lines `CELL <protocol> <direction> <feature>
<format> PASS|FAIL`. The table is written to <output.md>; when every
(direction, protocol, format) group has cells it is also written to
<copy-to.md> (docs/interop.md), so a partial run never replaces the
checked-in table. Exits 1 when any cell failed or a group is missing.
"""
import pathlib
import sys

PROTOCOLS = ["grpc", "http", "websocket"]
FORMATS = ["v2", "v1"]
DIRECTIONS = {
    "cpp-client->python-flow": "C++ `jina::Client` -> real Python jina 3.34 Flow",
    "python-client->cpp-flow": "Python jina 3.34 `Client` -> C++ local `jina::Flow`",
}
NOTES = {
    "endpoints": "WebSocket gateways and the v1 HTTP gateway list no Executor endpoints; jina 3.34's "
                 "v1 gRPC gateway fails endpoint_discovery for every client (AttributeError): "
                 "checked that the error reaches the caller.",
    "docs_text_tags": "jina's v1 HTTP gateway turns a tag value of 1 into `true` (pydantic); "
                      "the checks avoid that value.",
    "tensor_dtypes": "HTTP carries tensors as JSON lists, without dtype: values are checked, not dtypes.",
    "compression": "gRPC only.",
    "nested_matches_chunks": "over HTTP with docarray v2, jina's gateway answers nested documents "
                             "with their ids only (the Executor sees them whole): checked so.",
    "graphql": "HTTP only; v2: the clear error for a gateway without `/graphql`; "
               "v1: `mutate` against `--expose-graphql-endpoint`.",
    "tls": "grpcs, https, wss with a test CA, docarray v2 only (TLS does not depend on the "
           "format). C++ client: ready, status, endpoints, batches, in-order, errors, parameters "
           "against a jina Flow behind a TLS-terminating proxy (tests/interop/tls_proxy.py, ALPN "
           "h2 for gRPC). Python client (`tls=True`, the CA trusted through SSL_CERT_FILE and "
           "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH): every check of its direction against the C++ "
           "Flow's own TLS, and a plain client is not served.",
    "stream_doc": "C++ client -> jina Flow (docarray v2): gRPC `stream_doc` and HTTP Server-Sent "
                  "Events get the 3 items of a Python generator endpoint as they are produced, "
                  "and an ordinary endpoint is an error; over WebSocket (jina's WebSocket gateway "
                  "has no streaming) the cell checks the clear InvalidArgument. Python client -> "
                  "C++ Flow: gRPC, and HTTP (Server-Sent Events) with docarray v2 (jina streams "
                  "over HTTP with v2 only, and not over WebSocket): the async client's `stream_doc` "
                  "(`Client(asyncio=True)`) gets the items of a C++ streaming endpoint in order, "
                  "and an Executor error mid-stream raises after them (gRPC: BadServer; HTTP: "
                  "aiohttp's ClientPayloadError on the cut stream, jina's client skips the "
                  "`error` event).",
    "deployment_post": "a jina `Deployment` instead of a Flow (over gRPC it starts a gateway; over "
                       "HTTP its gateway proxies to the Executor's own app): posts upper-cased.",
    "deployment_stream_doc": "the same Deployment's generator endpoint: the 3 items as produced; "
                             "an ordinary endpoint is an error.",
    "tls_untrusted_ca": "a client without the test CA is refused (not ready, ConnectionError).",
    "tls_mutual": "a proxy that requires a client certificate serves a client with one and "
                  "refuses one without.",
    "results_in_order": "Jina's Python client can hang for good over HTTP and WebSocket with a "
                        "list of inputs and `results_in_order=True` when the last answer comes "
                        "before its input thread reports the end of the list (a race in its "
                        "RequestStreamer, seen against a fast server: 8 hangs in 100 posts, and "
                        "with a 15-line aiohttp echo server too). The Python-client cells pass "
                        "the inputs as an async generator there, which avoids the race; the C++ "
                        "client has no such race.",
}

cells_dir, out_path = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
cells = {}
for path in sorted(cells_dir.glob("*.cells")):
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[0] == "CELL":
            _, protocol, direction, feature, fmt, result = parts
            key = (direction, feature, protocol, fmt)
            # A cell seen twice passes only if it passed every time.
            cells[key] = "FAIL" if cells.get(key) == "FAIL" else result

groups = {(d, p, f) for d, _, p, f in cells}
missing = [(d, p, f) for d in DIRECTIONS for p in PROTOCOLS for f in FORMATS
           if (d, p, f) not in groups]
failed = sorted(k for k, v in cells.items() if v != "PASS")

out = ["# Interoperability with real jina 3.34 (issue 7)", "",
       "Generated by the interop tests (`ctest -L interop`; tests/interop/make_table.py) from the",
       "`CELL` lines each check prints. Do not edit by hand.", "",
       f"{sum(v == 'PASS' for v in cells.values())} cells pass, {len(failed)} fail. "
       "`n/a`: the protocol or docarray format has no such feature (notes below).", ""]
for direction, title in DIRECTIONS.items():
    features = sorted({f for d, f, _, _ in cells if d == direction},
                      key=lambda f: min(i for i, k in enumerate(cells) if k[0] == direction and k[1] == f))
    out += [f"## {title}", "",
            "| feature | " + " | ".join(f"{p} {f}" for p in PROTOCOLS for f in FORMATS) + " |",
            "|---|" + "---|" * (len(PROTOCOLS) * len(FORMATS))]
    for feature in features:
        row = [cells.get((direction, feature, p, f), "n/a") for p in PROTOCOLS for f in FORMATS]
        out.append(f"| {feature} | " + " | ".join(row) + " |")
    out.append("")
out += ["## Notes", ""] + [f"* `{k}`: {v}" for k, v in NOTES.items()]
if missing:
    out += ["", "Groups not run: " + ", ".join(" ".join(m) for m in missing)]
text = "\n".join(out) + "\n"
out_path.write_text(text)
if len(sys.argv) > 3 and not missing:
    pathlib.Path(sys.argv[3]).write_text(text)
print(text)
for k in failed:
    print("FAILED CELL", *k)
if missing:
    print("MISSING GROUPS", missing)
sys.exit(1 if failed or missing else 0)
