"""Jina's Python client (3.34) posts to the C++ local Flow.

Run by tests/interop/run_python_client.sh with the venv's python, the port
of a running cpp_flow_server and its protocol (grpc, http or websocket).
Prints one line per check and exits non-zero on the first failure.
"""
import sys

from docarray import DocList
from docarray.documents import TextDoc
from jina import Client
from jina.excepts import BadServer

port = int(sys.argv[1])
protocol = sys.argv[2] if len(sys.argv) > 2 else "grpc"
client = Client(host="127.0.0.1", port=port, protocol=protocol)
checks = 0


def check(name, ok, detail=""):
    global checks
    if not ok:
        print(f"FAIL {name}: {detail}")
        sys.exit(1)
    checks += 1
    print(f"ok {name}")


check("is_flow_ready", client.is_flow_ready())

docs = DocList[TextDoc]([TextDoc(id=f"d{i}", text=f"hello {i}") for i in range(25)])
out = client.post("/", inputs=docs, request_size=10, return_type=DocList[TextDoc])
check("upper round trip", sorted(out.text) == sorted(f"HELLO {i}" for i in range(25)), list(out.text))
ordered = client.post("/", inputs=docs, request_size=5, results_in_order=True, return_type=DocList[TextDoc])
check("results_in_order", list(ordered.id) == [f"d{i}" for i in range(25)], list(ordered.id))
check("texts in order", list(ordered.text) == [f"HELLO {i}" for i in range(25)], list(ordered.text))

responses = client.post("/params", inputs=docs[:3], parameters={"k": "v", "n": 2},
                        return_responses=True)
params = responses[0].parameters
check("parameters echoed", params.get("k") == "v" and params.get("n") == 2, params)
results = params.get("__results__", {})
check("__results__ of the executor", any(r.get("seen", {}).get("k") == "v" and r.get("docs") == 3
                                         for r in results.values()), results)

if protocol == "http":
    # A docarray v2 HTTP gateway answers an Executor error with HTTP 500
    # {"detail": ...}, which the Python client raises as ValueError.
    try:
        client.post("/fail", inputs=docs[:1])
        check("HTTP 500 raised", False, "no exception")
    except ValueError as e:
        check("HTTP 500 raised", "intentional failure from /fail" in str(e), str(e))
else:
    errors = []
    client.post("/fail", inputs=docs[:2], on_error=lambda resp: errors.append(resp.header.status))
    check("on_error called once", len(errors) == 1, errors)
    status = errors[0]
    check("error code", status.code == 1, status)
    check("exception name", status.exception.name == "std::invalid_argument", status.exception.name)
    check("exception args", list(status.exception.args) == ["intentional failure from /fail"],
          list(status.exception.args))

    try:
        client.post("/fail", inputs=docs[:1])
        # The Python WebSocket client loses the BadServer its callback raised
        # when the server has already closed the socket after the last
        # response (its receive task is then done, not cancelled): as jina's
        # own gateway closes right after flushing, either outcome is fine.
        check("BadServer raised", protocol == "websocket", "no exception")
    except BadServer as e:
        check("BadServer raised", True)

print(f"{checks} passed, 0 failed")
