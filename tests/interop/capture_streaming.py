"""Golden captures of jina 3.34 streaming endpoints (`stream_doc`, SSE).

Usage (with the jina venv's python, e.g. build/dev/venv-jina-http/bin/python,
which has jina 3.34.0, docarray v2 and pydantic 1 for the HTTP gateway):

    python tests/interop/capture_streaming.py [--out DIR] [--skip-ping]

Starts, one after another, Flows with a gateway (grpc, grpc with retries=0,
http, websocket) and Deployments (grpc with and without gateway, http), each
serving the `StreamExec` Executor below on a free loopback port, records the
raw bytes exchanged with them and with jina's own Python client, and writes
everything to DIR (default: tests/golden/captures/streaming next to this
file); a full run first deletes the *.pb, *.txt and *.http files there.
Every server runs in a child process in its own session; the script kills that
session when done, also on errors. Takes about 2 minutes.
  --skip-ping   skip the 16 s SSE ping case
  --only K,...  run only these parts (client-requests, flow-grpc,
                flow-grpc-retries0, dep-grpc, dep-grpc-nogw, flow-http, dep-http,
                flow-websocket); summaries then get a suffix

Internal: `python capture_streaming.py serve <kind> <port-file>` runs one server.
"""
import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

os.environ.setdefault("JINA_OPTOUT_TELEMETRY", "1")
os.environ.setdefault("JINA_LOG_LEVEL", "ERROR")

from docarray import BaseDoc, DocList  # noqa: E402
from jina import Deployment, Executor, Flow, requests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "golden", "captures", "streaming")
METHOD = "/jina.JinaSingleDocumentRequestRPC/stream_doc"
REQUEST_ID = "0123456789abcdef0123456789abcdef"


# --------------------------------------------------------------------------
# The Executor under test (runs in the server child processes).
# --------------------------------------------------------------------------


class MyDoc(BaseDoc):
    text: str = ""


class OtherDoc(BaseDoc):
    value: int = 0


class StreamExec(Executor):
    """No default endpoint on purpose: an unknown endpoint stays unknown."""

    @requests(on="/stream")
    async def stream(self, doc: MyDoc, **kwargs) -> MyDoc:
        for i in range(3):
            yield MyDoc(id=f"{doc.id}-{i}", text=f"{doc.text}:tok{i}")

    @requests(on="/sync_stream")
    def sync_stream(self, doc: MyDoc, **kwargs) -> MyDoc:
        for i in range(2):
            yield MyDoc(id=f"{doc.id}-{i}", text=f"{doc.text}:sync{i}")

    @requests(on="/slow")
    async def slow(self, doc: MyDoc, **kwargs) -> MyDoc:
        for i in range(5):
            await asyncio.sleep(0.2)
            yield MyDoc(id=f"{doc.id}-{i}", text=f"tok{i}@{time.time():.6f}")

    @requests(on="/fail")
    async def fail(self, doc: MyDoc, **kwargs) -> MyDoc:
        for i in range(5):
            if i == 2:
                raise ValueError("intentional failure after 2 items")
            yield MyDoc(id=f"{doc.id}-{i}", text=f"{doc.text}:tok{i}")

    @requests(on="/fail_first")
    async def fail_first(self, doc: MyDoc, **kwargs) -> MyDoc:
        raise ValueError("intentional failure before the first item")
        yield MyDoc()  # noqa: unreachable, makes this a generator

    @requests(on="/params")
    async def params(self, doc: MyDoc, parameters: dict, **kwargs) -> MyDoc:
        yield MyDoc(id=f"{doc.id}-0", text=json.dumps(parameters, sort_keys=True))

    @requests(on="/wrong_type")
    async def wrong_type(self, doc: MyDoc, **kwargs) -> MyDoc:
        yield MyDoc(id=f"{doc.id}-0", text="right type")
        yield OtherDoc(id=f"{doc.id}-1", value=7)

    @requests(on="/default_id")
    async def default_id(self, doc: MyDoc, **kwargs) -> MyDoc:
        yield MyDoc(text="no id given")

    @requests(on="/ping")
    async def ping(self, doc: MyDoc, **kwargs) -> MyDoc:
        yield MyDoc(id=f"{doc.id}-0", text="before")
        await asyncio.sleep(16)
        yield MyDoc(id=f"{doc.id}-1", text="after")

    @requests(on="/unary")
    def unary(self, docs: DocList[MyDoc], **kwargs) -> DocList[MyDoc]:
        for d in docs:
            d.text = d.text.upper()
        return docs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(kind, port_file):
    port = free_port()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    common = dict(port=port, host="127.0.0.1")
    if kind == "flow-grpc-retries0":
        server = Flow(protocol="grpc", retries=0, **common).add(uses=StreamExec,
                                                                name="streamer")
    elif kind.startswith("flow-"):
        protocol = kind[len("flow-"):]
        server = Flow(protocol=protocol, **common).add(uses=StreamExec, name="streamer")
    elif kind == "dep-grpc":
        server = Deployment(uses=StreamExec, name="streamer", protocol="grpc", **common)
    elif kind == "dep-grpc-nogw":
        server = Deployment(uses=StreamExec, name="streamer", protocol="grpc",
                            include_gateway=False, **common)
    elif kind == "dep-http":
        server = Deployment(uses=StreamExec, name="streamer", protocol="http", **common)
    else:
        raise SystemExit(f"unknown kind {kind}")
    with server:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, port_file)
        server.block()


# --------------------------------------------------------------------------
# Server lifecycle (parent side).
# --------------------------------------------------------------------------


@contextlib.contextmanager
def running(kind, workdir, log):
    port_file = os.path.join(workdir, f"{kind}.port")
    stderr = open(os.path.join(workdir, f"{kind}.log"), "w")
    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "serve", kind, port_file],
        stdout=stderr, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not os.path.exists(port_file):
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited with {proc.returncode}, "
                                   f"see {stderr.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server not ready after 120 s")
            time.sleep(0.2)
        port = int(open(port_file).read())
        log(f"[{kind}] ready on port {port}")
        yield port
    finally:
        # the server and everything it spawned share the session (pgid = pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stderr.close()
        log(f"[{kind}] stopped")


# --------------------------------------------------------------------------
# Writers.
# --------------------------------------------------------------------------


class Out:
    def __init__(self, root, versions):
        self.root = root
        self.versions = versions
        os.makedirs(root, exist_ok=True)

    def path(self, name):
        return os.path.join(self.root, name)

    def write_bytes(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)

    def write_text(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def write_proto(self, name, raw, origin):
        """name.pb (exact bytes) + name.txt (protobuf text format)."""
        from google.protobuf import text_format
        from jina.proto import jina_pb2

        msg = jina_pb2.SingleDocumentRequestProto()
        msg.ParseFromString(raw)
        self.write_bytes(name + ".pb", raw)
        self.write_text(
            name + ".txt",
            f"# jina.SingleDocumentRequestProto, {len(raw)} bytes, {origin} "
            f"({self.versions})\n" + text_format.MessageToString(msg))
        return msg


# --------------------------------------------------------------------------
# gRPC.
# --------------------------------------------------------------------------


def make_request(endpoint, parameters=None, request_id=REQUEST_ID,
                 doc_id="d1", text="hello", target_executor=None):
    """A SingleDocumentRequestProto as a client would build it, serialized
    deterministically (map entries sorted by key)."""
    from google.protobuf import json_format
    from jina.proto import jina_pb2

    req = jina_pb2.SingleDocumentRequestProto()
    req.header.request_id = request_id
    req.header.exec_endpoint = endpoint
    if target_executor is not None:
        req.header.target_executor = target_executor
    if parameters is not None:
        json_format.ParseDict(parameters, req.parameters)
    req.document.CopyFrom(MyDoc(id=doc_id, text=text).to_protobuf())
    return req.SerializeToString(deterministic=True)


def grpc_stream(port, raw_request, timeout=60.0, metadata=None):
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        fn = ch.unary_stream(METHOD)  # no (de)serializers: raw bytes both ways
        t0_wall = time.time()
        t0 = time.monotonic()
        call = fn(raw_request, timeout=timeout, metadata=metadata)
        msgs = []
        try:
            for m in call:
                msgs.append((time.monotonic() - t0, m))
        except grpc.RpcError:
            pass
        t_end = time.monotonic() - t0
        return {
            "messages": msgs,
            "elapsed": t_end,
            "t0_wall": t0_wall,
            "code": str(call.code()),
            "details": call.details() or "",
            "initial_metadata": [list(kv) for kv in (call.initial_metadata() or ())],
            "trailing_metadata": [list(kv) for kv in (call.trailing_metadata() or ())],
        }


def scrub(details):
    """Server-side ports and temp paths vary from run to run."""
    details = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", details)
    details = re.sub(r"0\.0\.0\.0:\d+", "0.0.0.0:<port>", details)
    return details


def grpc_case(out, port, name, raw_request, origin, notes, summary, timeout=60.0):
    out.write_proto(f"{name}_request", raw_request, "request sent by capture_streaming.py")
    r = grpc_stream(port, raw_request, timeout=timeout)
    for i, (_, raw) in enumerate(r["messages"]):
        out.write_proto(f"{name}_response_{i}", raw, origin)
    meta = {
        "method": METHOD,
        "responses": len(r["messages"]),
        "code": r["code"],
        "details": scrub(r["details"]),
        "initial_metadata": r["initial_metadata"],
        "trailing_metadata": r["trailing_metadata"],
    }
    out.write_text(f"{name}.meta.txt", json.dumps(meta, indent=2) + "\n")
    summary.append(describe_grpc(name, r, notes))
    return r


def describe_grpc(name, r, notes):
    from jina.proto import jina_pb2

    lines = [f"## {name}", notes, f"status: {r['code']} details={scrub(r['details'])!r}",
             f"initial_metadata={r['initial_metadata']} trailing_metadata={r['trailing_metadata']}",
             f"{len(r['messages'])} response message(s):"]
    for i, (t, raw) in enumerate(r["messages"]):
        m = jina_pb2.SingleDocumentRequestProto()
        m.ParseFromString(raw)
        fields = [f.name for f, _ in m.ListFields()]
        hdr = [f.name for f, _ in m.header.ListFields()]
        doc = {k: (v.text if v.WhichOneof("content") == "text" else v.WhichOneof("content"))
               for k, v in sorted(m.document.data.items())}
        st = m.header.status
        lines.append(
            f"  [{i}] t={t * 1000:.0f}ms {len(raw)}B fields={fields} header={hdr} "
            f"request_id={m.header.request_id!r} status.code={st.code} "
            f"desc={st.description!r} exc.name={st.exception.name!r} "
            f"exc.executor={st.exception.executor!r} routes={len(m.routes)} doc={doc}")
    return "\n".join(lines) + "\n"


def capture_python_client_request_grpc(out, summary):
    """What jina's Python client puts on the wire for stream_doc (a fake
    server records the bytes and the metadata)."""
    import grpc
    from concurrent import futures
    from jina import Client

    seen = []

    class Handler(grpc.GenericRpcHandler):
        def service(self, details):
            if details.method != METHOD:
                return None

            def fn(raw, ctx):
                seen.append((raw, [(m.key, m.value) for m in ctx.invocation_metadata()]))
                return iter(())

            return grpc.unary_stream_rpc_method_handler(fn)

    port = free_port()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((Handler(),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    try:
        async def go():
            c = Client(host="127.0.0.1", port=port, protocol="grpc", asyncio=True)
            async for _ in c.stream_doc(on="/params", inputs=MyDoc(id="d1", text="hello"),
                                        parameters={"k": "v"}, return_type=MyDoc):
                pass

        asyncio.run(go())
    finally:
        server.stop(0)
    raw, md = seen[0]
    msg = out.write_proto("python_client_request", raw,
                          "sent by jina 3.34's Python Client.stream_doc(on='/params', "
                          "parameters={'k': 'v'}) (request_id is random)")
    summary.append(
        "## python_client_request\n"
        "Client(protocol='grpc', asyncio=True).stream_doc(on='/params', inputs=MyDoc(id='d1', "
        "text='hello'), parameters={'k': 'v'})\n"
        f"request fields={[f.name for f, _ in msg.ListFields()]} "
        f"header={[f.name for f, _ in msg.header.ListFields()]} "
        f"metadata={[(k, v) for k, v in md if not k.startswith('grpc-') and k != 'user-agent']} "
        f"user-agent={[v for k, v in md if k == 'user-agent']}\n")


def capture_endpoint_discovery(out, port, summary):
    """EndpointsProto of the streaming Flow: schemas say which endpoints are
    generators (is_generator) and single-doc (is_singleton_doc)."""
    import grpc
    from google.protobuf import json_format, text_format
    from jina.proto import jina_pb2

    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        fn = ch.unary_unary("/jina.JinaDiscoverEndpointsRPC/endpoint_discovery")
        raw = fn(b"", timeout=30)
    msg = jina_pb2.EndpointsProto()
    msg.ParseFromString(raw)
    out.write_bytes("endpoint_discovery_response.pb", raw)
    out.write_text("endpoint_discovery_response.txt",
                   f"# jina.EndpointsProto, {len(raw)} bytes, from the streaming Flow "
                   f"(grpc gateway) ({out.versions})\n" + text_format.MessageToString(msg))
    schemas = json_format.MessageToDict(msg.schemas)
    flags = {ep: {k: v[k] for k in ("is_generator", "is_singleton_doc") if k in v}
             for ep, v in sorted(schemas.items())}
    summary.append("## endpoint_discovery_response\n"
                   f"endpoints={list(msg.endpoints)}\nflags={json.dumps(flags)}\n")


# --------------------------------------------------------------------------
# HTTP (raw sockets, exact bytes).
# --------------------------------------------------------------------------


def http_request(method, path, body=None, accept="text/event-stream", extra=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost"]
    if accept:
        lines.append(f"Accept: {accept}")
    lines.extend(extra)
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def body_complete(buf):
    """True once a full response (chunked or content-length) is in buf."""
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    h = head.lower()
    m = re.search(rb"\r\ncontent-length: *(\d+)", h)
    if m:
        return len(body) >= int(m.group(1))
    if b"transfer-encoding: chunked" in h:
        return dechunk(body)[1] is True
    return False


def dechunk(body):
    """(payload, complete) of a chunked body; complete is True, False (more
    to come) or 'malformed' (something that is not a chunk follows)."""
    out, i = b"", 0
    while True:
        j = body.find(b"\r\n", i)
        if j < 0:
            return out, False
        try:
            size = int(body[i:j].split(b";")[0], 16)
        except ValueError:
            return out, "malformed"
        if size == 0:
            return out, body[j + 2:j + 4] == b"\r\n"
        if len(body) < j + 2 + size + 2:
            return out, False
        out += body[j + 2:j + 2 + size]
        i = j + 2 + size + 2


def dechunk_or_plain(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return dechunk(body)[0] if b"chunked" in head.lower() else body


def raw_http(port, request, timeout=30.0):
    """Send request, read until the response is complete, EOF or timeout.
    Returns dict(raw, chunks=[(t, bytes)], end='complete'|'eof'|'timeout')."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(0.1)
    t0_wall = time.time()
    t0 = time.monotonic()
    s.sendall(request)
    buf, chunks, end = b"", [], "timeout"
    try:
        while time.monotonic() - t0 < timeout:
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                end = "reset"
                break
            if not data:
                end = "eof"
                break
            chunks.append((time.monotonic() - t0, data))
            buf += data
            if body_complete(buf):
                end = "complete"
                break
    finally:
        s.close()
    return {"raw": buf, "chunks": chunks, "end": end, "t0_wall": t0_wall}


def describe_http(name, req, r, notes):
    head, _, body = r["raw"].partition(b"\r\n\r\n")
    payload, complete = (dechunk(body) if b"chunked" in head.lower() else (body, None))
    lines = [f"## {name}", notes,
             "request: " + repr(req),
             f"connection end: {r['end']}; chunked terminator seen: {complete}",
             "response head: " + repr(head),
             "payload (de-chunked): " + repr(payload),
             "arrivals (ms after send, bytes): "
             + ", ".join(f"{t * 1000:.0f}:{len(c)}" for t, c in r["chunks"])]
    return "\n".join(lines) + "\n"


def http_case(out, port, name, req, notes, summary, timeout=30.0):
    r = raw_http(port, req, timeout=timeout)
    out.write_bytes(f"{name}_request.http", req)
    out.write_bytes(f"{name}_response.http", r["raw"])
    summary.append(describe_http(name, req, r, notes))
    return r


def capture_python_client_request_http(out, summary):
    """The exact request jina's Python HTTP client sends for stream_doc."""
    from jina import Client

    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    got = {}

    def serve_once():
        conn, _ = lsock.accept()
        conn.settimeout(5)
        buf = b""
        while not body_complete_request(buf):
            data = conn.recv(65536)
            if not data:
                break
            buf += data
        got["raw"] = buf
        body = b"event: end\r\n\r\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                     b"content-length: %d\r\n\r\n%s" % (len(body), body))
        conn.close()

    def body_complete_request(buf):
        head, sep, body = buf.partition(b"\r\n\r\n")
        if not sep:
            return False
        m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        return len(body) >= (int(m.group(1)) if m else 0)

    t = threading.Thread(target=serve_once, daemon=True)
    t.start()

    async def go():
        c = Client(host="127.0.0.1", port=port, protocol="http", asyncio=True)
        async for _ in c.stream_doc(on="/stream", inputs=MyDoc(id="d1", text="hello"),
                                    parameters={"k": "v"}, return_type=MyDoc):
            pass

    try:
        asyncio.run(go())
    finally:
        t.join(10)
        lsock.close()
    raw = re.sub(rb"(?i)(\r\nhost: 127\.0\.0\.1:)\d+", rb"\1<port>", got["raw"])
    out.write_bytes("sse_python_client_request.http", raw)
    summary.append("## sse_python_client_request\n"
                   "Client(protocol='http', asyncio=True).stream_doc(on='/stream', "
                   "inputs=MyDoc(id='d1', text='hello'), parameters={'k': 'v'})\n"
                   f"request: {raw!r}\n")


# --------------------------------------------------------------------------
# jina's Python client against the real servers.
# --------------------------------------------------------------------------


def python_client_case(protocol, port, on, timeout=60, parameters=None):
    from jina import Client

    async def go():
        c = Client(host="127.0.0.1", port=port, protocol=protocol, asyncio=True)
        got = []
        t0 = time.monotonic()
        try:
            async for d in c.stream_doc(on=on, inputs=MyDoc(id="d1", text="hello"),
                                        parameters=parameters, return_type=MyDoc,
                                        timeout=timeout):
                got.append((round((time.monotonic() - t0) * 1000), d.id, d.text))
            return got, None
        except BaseException as ex:  # noqa: we want to see everything
            return got, ex

    got, ex = asyncio.run(go())
    lines = [f"  yielded {len(got)}: {[(g[1], g[2]) for g in got]}"]
    if ex is not None:
        text = scrub(str(ex))
        lines.append(f"  raised {type(ex).__module__}.{type(ex).__name__}: "
                     f"{text[:600]!r}{' ...' if len(text) > 600 else ''}")
    else:
        lines.append("  finished without exception")
    return "\n".join(lines), got, ex


def python_client_post_case(protocol, port, on):
    """post() (not stream_doc) to an endpoint, for comparison."""
    from jina import Client

    c = Client(host="127.0.0.1", port=port, protocol=protocol)
    inputs = DocList[MyDoc]([MyDoc(id="d1", text="hello")])
    try:
        r = c.post(on=on, inputs=inputs, return_type=DocList[MyDoc], timeout=30)
        line = f"  returned {[(d.id, d.text) for d in r]}"
    except BaseException as ex:  # noqa
        return f"  raised {type(ex).__name__}: {scrub(str(ex))[:400]!r}"
    try:  # what the response said
        rs = c.post(on=on, inputs=inputs, return_type=DocList[MyDoc], timeout=30,
                    return_responses=True, continue_on_error=True)
        for resp in rs:
            st = resp.header.status
            line += (f"\n  response: status.code={st.code} description={st.description!r} "
                     f"docs={len(resp.docs)}")
    except BaseException as ex:  # noqa
        line += f"\n  (return_responses=True raised {type(ex).__name__}: {str(ex)[:200]!r})"
    return line


# --------------------------------------------------------------------------
# The capture plan.
# --------------------------------------------------------------------------


def versions():
    import docarray
    import google.protobuf
    import grpc
    import jina
    import pydantic

    return (f"jina {jina.__version__}, docarray {docarray.__version__}, "
            f"protobuf {google.protobuf.__version__}, grpcio {grpc.__version__}, "
            f"pydantic {pydantic.VERSION}")


GRPC_CASES = [
    # name, endpoint, parameters, notes
    ("stream", "/stream", None, "3 items, no parameters"),
    ("params", "/params", {"k": "v", "n": 1, "nested": {"x": [1, "two"]}},
     "parameters in the request; the Executor echoes the parameters it received"),
    ("sync_stream", "/sync_stream", None, "a plain (sync) generator endpoint, 2 items"),
    ("fail", "/fail", None, "Executor raises ValueError after 2 of 5 items"),
    ("fail_first", "/fail_first", None, "Executor raises before the first item"),
    ("wrong_type", "/wrong_type", None,
     "Executor yields a MyDoc, then an OtherDoc (not the declared output type)"),
    ("unary", "/unary", None, "stream_doc on a normal (non-generator) DocList endpoint"),
    ("unknown", "/nonexistent", None, "stream_doc on an endpoint that does not exist"),
    ("default_id", "/default_id", None, "the Executor does not set an id (random id)"),
    ("unicode", "/stream", None, "non-ASCII text with a newline: h\u00e9llo\\n\u2603"),
]
UNICODE_TEXT = "h\u00e9llo\n\u2603"


def run_grpc_server(out, port, prefix, origin, summary, cases):
    for name, endpoint, params, notes in cases:
        text = UNICODE_TEXT if name == "unicode" else "hello"
        grpc_case(out, port, f"{prefix}_{name}", make_request(endpoint, params, text=text),
                  origin, f"endpoint {endpoint}: {notes}", summary)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--skip-ping", action="store_true")
    ap.add_argument("--only", default="", help="comma separated server kinds")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    out = Out(os.path.abspath(args.out), versions())
    if not only:  # a full run replaces every earlier capture
        for f in os.listdir(out.root):
            if re.search(r"\.(pb|txt|http)$", f):
                os.remove(out.path(f))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    grpc_summary = [f"# gRPC stream_doc exchanges ({out.versions})\n"]
    http_summary = [f"# HTTP SSE exchanges ({out.versions})\n"]
    client_summary = [f"# jina's Python client stream_doc ({out.versions})\n"]
    timing = [f"# Arrival timing ({out.versions}); machine-dependent, not golden.\n"]

    def want(kind):
        return not only or kind in only

    with tempfile.TemporaryDirectory() as work:
        # --- Python client's own requests (fake servers, no jina server) ---
        if want("client-requests"):
            capture_python_client_request_grpc(out, grpc_summary)
            capture_python_client_request_http(out, http_summary)

        # --- Flow with a gRPC gateway -------------------------------------
        if want("flow-grpc"):
            with running("flow-grpc", work, log) as port:
                origin = "from a live jina 3.34.0 Flow (grpc gateway)"
                run_grpc_server(out, port, "flow", origin, grpc_summary, GRPC_CASES)
                capture_endpoint_discovery(out, port, grpc_summary)
                # flushing: items 200 ms apart, stamped by the Executor
                r = grpc_stream(port, make_request("/slow"))
                timing.append("## gRPC flow /slow: 5 items, 200 ms apart, executor stamps "
                              "time.time() into text\n" + timing_lines(r))
                for on in ["/stream", "/params", "/fail", "/fail_first", "/unary",
                           "/nonexistent", "/wrong_type"]:
                    params = {"k": "v"} if on == "/params" else None
                    text, _, _ = python_client_case("grpc", port, on, parameters=params)
                    client_summary.append(f"## grpc Flow, stream_doc(on={on!r}"
                                          f"{', parameters={k: v}' if params else ''})\n"
                                          f"{text}\n")
                client_summary.append("## grpc Flow, post(on='/stream') (not stream_doc)\n"
                                      + python_client_post_case("grpc", port, "/stream") + "\n")

        # --- the same Flow with retries=0: one attempt per call ------------
        if want("flow-grpc-retries0"):
            with running("flow-grpc-retries0", work, log) as port:
                origin = "from a live jina 3.34.0 Flow(retries=0) (grpc gateway)"
                run_grpc_server(out, port, "flow_retries0", origin, grpc_summary,
                                [c for c in GRPC_CASES if c[0] in
                                 ("fail", "fail_first", "sync_stream", "unknown")])

        # --- Deployment (grpc), default include_gateway=True --------------
        if want("dep-grpc"):
            with running("dep-grpc", work, log) as port:
                origin = "from a live jina 3.34.0 Deployment(protocol='grpc')"
                run_grpc_server(out, port, "deployment", origin, grpc_summary,
                                [c for c in GRPC_CASES if c[0] in
                                 ("stream", "params", "fail", "unary", "unknown")])

        # --- Deployment (grpc) without gateway: the Executor's own server --
        if want("dep-grpc-nogw"):
            with running("dep-grpc-nogw", work, log) as port:
                origin = ("from a live jina 3.34.0 Deployment(protocol='grpc', "
                          "include_gateway=False), i.e. the worker itself")
                run_grpc_server(out, port, "worker", origin, grpc_summary,
                                [c for c in GRPC_CASES if c[0] in
                                 ("stream", "params", "sync_stream", "fail", "fail_first", "wrong_type",
                                  "unary", "unknown")])
                for on in ["/stream", "/fail"]:
                    text, _, _ = python_client_case("grpc", port, on)
                    client_summary.append(f"## grpc worker (no gateway), stream_doc(on={on!r})"
                                          f"\n{text}\n")

        # --- Flow with an HTTP gateway ------------------------------------
        if want("flow-http"):
            with running("flow-http", work, log) as port:
                doc = {"id": "d1", "text": "hello"}
                cases = [
                    ("sse_stream", http_request("GET", "/stream", doc),
                     "GET with the JSON doc as body, Accept: text/event-stream"),
                    ("sse_stream_query", http_request("GET", "/stream?id=d1&text=hello", None),
                     "GET, doc fields as query parameters, no body"),
                    ("sse_stream_no_accept", http_request("GET", "/stream", doc, accept=None),
                     "GET without an Accept header"),
                    ("sse_stream_post", http_request("POST", "/stream", doc),
                     "POST instead of GET"),
                    ("sse_stream_wrapped", http_request(
                        "GET", "/stream", {"data": doc, "parameters": {"k": "v"}}),
                     "body shaped like a POST body ({data, parameters}) instead of a doc"),
                    ("sse_stream_bad_body", http_request("GET", "/stream", {"text": 5}),
                     "a doc whose text is a number"),
                    ("sse_stream_bad_json", http_request("GET", "/stream", b"{not json"),
                     "a body that is not JSON"),
                    ("sse_stream_empty", http_request("GET", "/stream", None),
                     "no body, no query"),
                    ("sse_params", http_request("GET", "/params?id=d1&text=hello&k=v", None),
                     "the /params endpoint: what parameters does the Executor get?"),
                    ("sse_unicode", http_request("GET", "/stream",
                                                 {"id": "d1", "text": UNICODE_TEXT}),
                     "non-ASCII text with a newline (request body is ASCII JSON)"),
                    ("sse_unicode_utf8", http_request(
                        "GET", "/stream",
                        json.dumps({"id": "d1", "text": UNICODE_TEXT},
                                   ensure_ascii=False).encode()),
                     "the same doc, request body as raw UTF-8 JSON"),
                    ("sse_sync_stream", http_request("GET", "/sync_stream", doc),
                     "a plain (sync) generator endpoint"),
                    ("sse_fail", http_request("GET", "/fail", doc),
                     "Executor raises after 2 of 5 items"),
                    ("sse_fail_first", http_request("GET", "/fail_first", doc),
                     "Executor raises before the first item"),
                    ("sse_wrong_type", http_request("GET", "/wrong_type", doc),
                     "Executor yields a doc of the wrong type second"),
                    ("sse_unary_get", http_request("GET", "/unary", doc),
                     "GET on a normal (non-generator) endpoint"),
                    ("sse_unknown", http_request("GET", "/nonexistent", doc),
                     "GET on an endpoint that does not exist"),
                    ("sse_default_id", http_request("GET", "/default_id", doc),
                     "the Executor does not set an id"),
                ]
                for name, req, notes in cases:
                    http_case(out, port, name, req, notes, http_summary, timeout=20)
                r = raw_http(port, http_request("GET", "/openapi.json", None, accept=None))
                openapi = json.loads(dechunk_or_plain(r["raw"]))
                out.write_text("http_openapi.json", json.dumps(openapi, indent=1) + "\n")
                r = raw_http(port, http_request("GET", "/slow", doc), timeout=30)
                timing.append("## SSE flow /slow: 5 items, 200 ms apart\n"
                              + http_timing_lines(r))
                if not args.skip_ping:
                    http_case(out, port, "sse_ping", http_request("GET", "/ping", doc),
                              "one item, 16 s pause, one item: the ': ping' comment",
                              http_summary, timeout=40)
                for on in ["/stream", "/fail", "/fail_first", "/unary", "/nonexistent",
                           "/wrong_type"]:
                    text, _, _ = python_client_case("http", port, on, timeout=20)
                    client_summary.append(f"## http Flow, stream_doc(on={on!r})\n{text}\n")
                r_client = python_client_case("http", port, "/slow", timeout=30)
                timing.append("## Python http client, flow /slow (ms, id, text)\n"
                              + "\n".join(f"  {g}" for g in r_client[1]) + "\n")

        # --- Deployment (http): gateway is a load balancer to the worker --
        if want("dep-http"):
            with running("dep-http", work, log) as port:
                doc = {"id": "d1", "text": "hello"}
                for name, req, notes in [
                    ("sse_deployment_stream", http_request("GET", "/stream", doc),
                     "Deployment(protocol='http'): gateway proxies to the worker's own app"),
                    ("sse_deployment_fail", http_request("GET", "/fail", doc),
                     "Deployment(protocol='http'), Executor raises after 2 of 5 items"),
                    ("sse_deployment_params", http_request("GET", "/params?id=d1&text=x&k=v",
                                                           None),
                     "Deployment(protocol='http'), /params with query"),
                ]:
                    http_case(out, port, name, req, notes, http_summary, timeout=10)
                for on in ["/stream", "/fail"]:
                    text, _, _ = python_client_case("http", port, on, timeout=10)
                    client_summary.append(f"## http Deployment, stream_doc(on={on!r})\n{text}\n")

        # --- Flow with a WebSocket gateway --------------------------------
        if want("flow-websocket"):
            with running("flow-websocket", work, log) as port:
                text, _, _ = python_client_case("websocket", port, "/stream", timeout=20)
                client_summary.append("## websocket Flow, stream_doc(on='/stream')\n"
                                      + text + "\n")
                client_summary.append("## websocket Flow, post(on='/stream') (not stream_doc)\n"
                                      + python_client_post_case("websocket", port, "/stream")
                                      + "\n")
                http_case(out, port, "ws_gateway_sse_get",
                          http_request("GET", "/stream", {"id": "d1", "text": "hello"}),
                          "SSE request against the WebSocket gateway's HTTP side",
                          http_summary, timeout=10)

    suffix = "" if not only else "." + "_".join(sorted(only))
    out.write_text(f"grpc_summary{suffix}.txt", "\n".join(grpc_summary))
    out.write_text(f"http_summary{suffix}.txt", "\n".join(http_summary))
    out.write_text(f"python_client{suffix}.txt", "\n".join(client_summary))
    out.write_text(f"timing{suffix}.txt", "\n".join(timing))
    log("done")


def timing_lines(r):
    from jina.proto import jina_pb2

    lines = []
    for t, raw in r["messages"]:
        m = jina_pb2.SingleDocumentRequestProto()
        m.ParseFromString(raw)
        text = m.document.data["text"].text
        made = float(text.split("@")[1]) - r["t0_wall"]
        lines.append(f"  produced +{made * 1000:.0f} ms, arrived +{t * 1000:.0f} ms  {text}")
    lines.append(f"  end +{r['elapsed'] * 1000:.0f} ms, {r['code']}")
    return "\n".join(lines) + "\n"


def http_timing_lines(r):
    lines = []
    for t, c in r["chunks"]:
        first = c.decode(errors="replace").split("\r\n")
        stamps = [float(x) - r["t0_wall"] for x in re.findall(r"@(\d+\.\d+)", c.decode())]
        made = ", ".join(f"+{x * 1000:.0f}" for x in stamps)
        lines.append(f"  arrived +{t * 1000:.0f} ms  {len(c)} bytes  "
                     f"{'(produced ' + made + ' ms) ' if made else ''}{first[:3]!r}")
    lines.append(f"  end: {r['end']}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        try:
            main()
        except Exception:
            traceback.print_exc()
            sys.exit(1)
