"""Jina's Python client (3.34) posts to the C++ local Flow.

Run by tests/interop/run_python_client.sh with the venv's python, the port
of a running cpp_flow_server, its protocol (grpc, http or websocket) and
optionally a file that gets the CELL lines. The docarray wire format (v1
below 0.30, v2 from 0.30) is the venv's; the server must speak the same.
Prints one line per check, one `CELL <protocol> python-client->cpp-flow
<feature> <format> PASS|FAIL` line per feature, and exits non-zero when
any check failed. With JINA_INTEROP_TLS set, the Flow serves TLS (with a CA
the environment makes trusted): the client posts with tls=True and every
check counts for the one feature `tls`.
"""
import os
import sys

from jina import Client
from jina._docarray import docarray_v2
from jina.excepts import BadServer

port = int(sys.argv[1])
protocol = sys.argv[2] if len(sys.argv) > 2 else "grpc"
cells_file = sys.argv[3] if len(sys.argv) > 3 else None
fmt = "v2" if docarray_v2 else "v1"
tls = bool(os.environ.get("JINA_INTEROP_TLS"))
client = Client(host="127.0.0.1", port=port, protocol=protocol, tls=tls)
features = {}  # feature -> all checks passed so far

if docarray_v2:
    from docarray import DocList
    from docarray.documents import TextDoc

    def make_docs(n):
        return DocList[TextDoc]([TextDoc(id=f"d{i}", text=f"hello {i}") for i in range(n)])

    typed = {"return_type": DocList[TextDoc]}
else:
    from docarray import Document, DocumentArray

    def make_docs(n):
        return DocumentArray([Document(id=f"d{i}", text=f"hello {i}") for i in range(n)])

    typed = {}


def check(feature, name, ok, detail=""):
    if tls:
        feature = "tls"
    features[feature] = features.get(feature, True) and bool(ok)
    print(f"{'ok' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))


def guarded(feature, fn):
    try:
        fn()
    except Exception as e:  # a crash is a failed cell, the others still run
        check(feature, f"{feature} raised", False, repr(e))


def ready():
    check("is_flow_ready", "is_flow_ready", client.is_flow_ready())
    if tls:
        plain = Client(host="127.0.0.1", port=port, protocol=protocol)
        check("tls", "a plain client is not served", not plain.is_flow_ready())


def round_trip():
    docs = make_docs(25)
    out = client.post("/", inputs=docs, request_size=10, **typed)
    texts = [d.text for d in out]
    check("docs_text", "upper round trip", sorted(texts) == sorted(f"HELLO {i}" for i in range(25)),
          texts)


def in_order():
    docs = make_docs(25)

    # An async generator, not the list: jina 3.34's RequestStreamer with
    # results_in_order waits on its queue of futures once more when the last
    # response is consumed before the request iterator (pulled in a thread
    # for a list) reported its end, and then hangs for good. A Flow that
    # answers within that thread hop (this one; an aiohttp echo server too)
    # trips it on HTTP and WebSocket about once in 30 posts. An async
    # generator is drained, and the end of input marked, in one event-loop
    # step, before any response can arrive. (gRPC orders on the server.)
    async def lazily():
        for doc in docs:
            yield doc

    inputs = lazily if protocol in ("http", "websocket") else docs
    ordered = client.post("/", inputs=inputs, request_size=5, results_in_order=True, **typed)
    ids = [d.id for d in ordered]
    check("results_in_order", "ids in order", ids == [f"d{i}" for i in range(25)], ids)
    texts = [d.text for d in ordered]
    check("results_in_order", "texts in order", texts == [f"HELLO {i}" for i in range(25)], texts)


def parameters():
    responses = client.post("/params", inputs=make_docs(3), parameters={"k": "v", "n": 2},
                            return_responses=True)
    params = responses[0].parameters
    check("parameters", "parameters echoed", params.get("k") == "v" and params.get("n") == 2, params)
    results = params.get("__results__", {})
    check("results_dict", "__results__ of the executor",
          any(r.get("seen", {}).get("k") == "v" and r.get("docs") == 3 for r in results.values()),
          results)


def errors():
    docs = make_docs(2)
    if protocol == "http" and docarray_v2:
        # A docarray v2 HTTP gateway answers an Executor error with HTTP 500
        # {"detail": ...}, which the Python client raises as ValueError.
        try:
            client.post("/fail", inputs=docs[:1])
            check("on_error", "HTTP 500 raised", False, "no exception")
        except ValueError as e:
            check("on_error", "HTTP 500 raised", "intentional failure from /fail" in str(e), str(e))
        return
    errs = []
    client.post("/fail", inputs=docs, on_error=lambda resp: errs.append(resp.header.status))
    check("on_error", "on_error called once", len(errs) == 1, errs)
    if not errs:
        return
    status = errs[0]
    check("on_error", "error code", status.code == 1, status)
    check("on_error", "exception name", status.exception.name == "std::invalid_argument",
          status.exception.name)
    check("on_error", "exception args",
          list(status.exception.args) == ["intentional failure from /fail"],
          list(status.exception.args))
    try:
        client.post("/fail", inputs=docs[:1])
        # The Python WebSocket client loses the BadServer its callback raised
        # when the server has already closed the socket after the last
        # response (its receive task is then done, not cancelled): as jina's
        # own gateway closes right after flushing, either outcome is fine.
        check("on_error", "BadServer raised", protocol == "websocket", "no exception")
    except BadServer:
        check("on_error", "BadServer raised", True)


def stream_doc():
    # The async client's stream_doc to the C++ Executor's streaming endpoints: the
    # items as they come, and an Executor error mid-stream raises once the items
    # are yielded. gRPC: BadServer (one ERROR message after the items). HTTP
    # (Server-Sent Events): the Flow sends an `error` event, which jina's client
    # skips, and cuts the stream without its last chunk, which it raises on.
    import asyncio

    # jina 3.34 exports no AsyncClient: Client(asyncio=True) is it.
    aclient = Client(host="127.0.0.1", port=port, protocol=protocol, tls=tls, asyncio=True)
    if docarray_v2:
        doc, return_type = TextDoc(id="d1", text="hello"), TextDoc
    else:
        doc, return_type = Document(id="d1", text="hello"), Document

    async def collect(on, items):
        async for item in aclient.stream_doc(on=on, inputs=doc, return_type=return_type):
            items.append((item.id, item.text))

    items = []
    asyncio.run(collect("/stream", items))
    check("stream_doc", "items in order", items == [(f"d1-{i}", f"hello:tok{i}") for i in range(3)],
          items)
    items = []
    if protocol == "http":
        try:
            asyncio.run(collect("/stream_fail", items))
            check("stream_doc", "an error raised", False, f"no exception, items {items}")
        except Exception as e:
            check("stream_doc", "an error after the items",
                  items == [("d1-0", "hello:tok0"), ("d1-1", "hello:tok1")], (items, repr(e)))
        return
    try:
        asyncio.run(collect("/stream_fail", items))
        check("stream_doc", "BadServer raised", False, f"no exception, items {items}")
    except BadServer as e:
        status = e.args[0].status
        check("stream_doc", "BadServer after the items",
              items == [("d1-0", "hello:tok0"), ("d1-1", "hello:tok1")], items)
        check("stream_doc", "the error's name and args",
              status.exception.name == "std::invalid_argument"
              and list(status.exception.args) == ["intentional failure mid-stream"], status)


checks = [("is_flow_ready", ready), ("docs_text", round_trip),
          ("results_in_order", in_order), ("parameters", parameters), ("on_error", errors)]
# Over HTTP jina streams with docarray v2 only (Server-Sent Events); WebSocket has none.
if protocol == "grpc" or (protocol == "http" and docarray_v2):
    checks.append(("stream_doc", stream_doc))
for feature, fn in checks:
    guarded(feature, fn)

lines = [f"CELL {protocol} python-client->cpp-flow {f} {fmt} {'PASS' if ok else 'FAIL'}"
         for f, ok in features.items()]
for line in lines:
    print(line)
if cells_file:
    with open(cells_file, "a") as f:
        f.write("".join(line + "\n" for line in lines))
failed = sum(not ok for ok in features.values())
print(f"{len(features) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
