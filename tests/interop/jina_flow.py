"""A real jina 3.34 Flow for the C++ client's interop tests.

Usage: python jina_flow.py <protocol: grpc|http|websocket> <port-file> [deployment]
Picks a free loopback port, serves one Executor on it, writes the port to
<port-file> once the Flow is ready and runs until SIGTERM. With `deployment`
the Executor is served by a jina Deployment instead of a Flow (over gRPC it
has a gateway too; over HTTP its gateway proxies to the Executor's own app).
  /default (and /upper) upper-cases every Document's text;
  /fail raises ValueError;
  /slow upper-cases after 20 ms (a post long enough to kill a Flow in it);
  /params returns the parameters it got (they come back in __results__);
  /stream is a streaming (generator) endpoint: 3 items "<text>:tok<i>" with
  ids "<id>-<i>", 0.2 s apart (gRPC stream_doc, HTTP Server-Sent Events);
  /stream_n streams as many items as the Document's text says, as fast as
  it can (FLOW=jina bench/e2e/stream_run.sh).
"""
import asyncio
import os
import signal
import socket
import sys

os.environ.setdefault("JINA_OPTOUT_TELEMETRY", "1")
os.environ.setdefault("JINA_LOG_LEVEL", "ERROR")

from docarray import DocList  # noqa: E402
from docarray.documents import TextDoc  # noqa: E402
from jina import Deployment, Executor, Flow, requests  # noqa: E402


class Upper(Executor):
    @requests
    def upper(self, docs: DocList[TextDoc], **kwargs) -> DocList[TextDoc]:
        for d in docs:
            d.text = (d.text or "").upper()
        return docs

    @requests(on="/slow")
    async def slow(self, docs: DocList[TextDoc], **kwargs) -> DocList[TextDoc]:
        await asyncio.sleep(0.02)
        for d in docs:
            d.text = (d.text or "").upper()
        return docs

    @requests(on="/fail")
    def fail(self, docs: DocList[TextDoc], **kwargs) -> DocList[TextDoc]:
        raise ValueError("intentional failure from /fail")

    @requests(on="/params")
    def params(self, docs: DocList[TextDoc], parameters: dict, **kwargs) -> DocList[TextDoc]:
        return docs

    @requests(on="/stream")
    async def stream(self, doc: TextDoc, **kwargs) -> TextDoc:
        for i in range(3):
            await asyncio.sleep(0.2)
            yield TextDoc(id=f"{doc.id}-{i}", text=f"{doc.text}:tok{i}")

    @requests(on="/stream_n")
    async def stream_n(self, doc: TextDoc, **kwargs) -> TextDoc:
        for i in range(int(doc.text)):
            yield TextDoc(id=f"{doc.id}-{i}", text=f"tok {i}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    protocol, port_file = sys.argv[1], sys.argv[2]
    port = free_port()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if sys.argv[3:] == ["deployment"]:
        flow = Deployment(uses=Upper, name="upper", protocol=protocol, port=port, host="127.0.0.1")
    else:
        flow = Flow(protocol=protocol, port=port, host="127.0.0.1").add(uses=Upper, name="upper")
    with flow:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, port_file)
        flow.block()


if __name__ == "__main__":
    main()
