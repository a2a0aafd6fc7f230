"""A real jina 3.34 Flow with the Executors of issue 7's interop matrix.

Usage: python matrix_flow.py <grpc|http|websocket> <port> <port-file> [graphql]
<port> 0 picks a free loopback port. The port is written to <port-file>
once the Flow is ready; the Flow runs until SIGTERM. The docarray wire
format (v1 below 0.30, v2 from 0.30) is whatever the venv has installed;
`graphql` exposes the GraphQL endpoint (HTTP, docarray v1 only).

Executor `alpha` (first in the Flow):
  default, /upper  upper-cases text in place; tags.batch = docs in the request
  /new             returns a new DocList (ids "new-<id>", text "new:<text>")
  /dict            returns a dict: it lands in parameters.__results__.alpha
  /fail            raises ValueError('intentional failure from /fail')
  /maybe_fail      raises RuntimeError when a doc has tags.fail; else upper
  /params          copies parameters["k"] into every doc's tags.k
  /tensor          tags.dtype/shape of tensor, embedding = 2 * flat float32
                   tensor, tags.n_matches/n_chunks, match/chunk text upper
  /slow            sleeps parameters["sleep"] seconds (default 2)
  /target          text += "|alpha"
Executor `beta` (second): /target appends "|beta"; passes everything else on.
"""
import os
import signal
import socket
import sys
import time

os.environ.setdefault("JINA_OPTOUT_TELEMETRY", "1")
os.environ.setdefault("JINA_LOG_LEVEL", "ERROR")

import numpy as np  # noqa: E402
from jina import Executor, Flow, requests  # noqa: E402
from jina._docarray import docarray_v2  # noqa: E402

if docarray_v2:
    from typing import Any, Dict, Optional

    from docarray import BaseDoc, DocList
    from docarray.typing import NdArray

    class Inner(BaseDoc):
        text: Optional[str] = None
        tags: Dict[str, Any] = {}
        embedding: Optional[NdArray] = None

    class Rich(BaseDoc):
        text: Optional[str] = None
        tags: Dict[str, Any] = {}
        embedding: Optional[NdArray] = None
        tensor: Optional[NdArray] = None
        bytes_: Optional[bytes] = None
        matches: Optional[DocList[Inner]] = None
        chunks: Optional[DocList[Inner]] = None

    Docs = DocList[Rich]

    def new_docs(docs):
        return DocList[Rich]([Rich(id="new-" + d.id, text="new:" + (d.text or "")) for d in docs])

else:
    from docarray import Document, DocumentArray

    Docs = DocumentArray

    def new_docs(docs):
        return DocumentArray([Document(id="new-" + d.id, text="new:" + (d.text or "")) for d in docs])


def upper(docs):
    for d in docs:
        d.text = (d.text or "").upper()
        d.tags["batch"] = len(docs)


class Alpha(Executor):
    @requests
    def default(self, docs: Docs, **kwargs) -> Docs:
        upper(docs)
        return docs

    @requests(on="/new")
    def new(self, docs: Docs, **kwargs) -> Docs:
        return new_docs(docs)

    # Typed like the others although it returns a dict: without a return
    # annotation the output schema is jina's legacy Document, and jina 3.34's
    # gateway then builds alpha's and beta's `_jina_dry_run_` models from
    # different caches when beta answers endpoint discovery later than alpha
    # (its startup retry), and refuses the Flow as "incompatible".
    @requests(on="/dict")
    def as_dict(self, docs: Docs, parameters: dict, **kwargs) -> Docs:
        seen = {k: v for k, v in parameters.items() if not k.startswith("__")}
        return {"docs": len(docs), "seen": seen}

    @requests(on="/fail")
    def fail(self, docs: Docs, **kwargs) -> Docs:
        raise ValueError("intentional failure from /fail")

    @requests(on="/maybe_fail")
    def maybe_fail(self, docs: Docs, **kwargs) -> Docs:
        if any(d.tags.get("fail") for d in docs):
            raise RuntimeError("a doc asked to fail")
        upper(docs)
        return docs

    @requests(on="/params")
    def params(self, docs: Docs, parameters: dict, **kwargs) -> Docs:
        for d in docs:
            d.tags["k"] = parameters.get("k")
        return docs

    @requests(on="/tensor")
    def tensor(self, docs: Docs, **kwargs) -> Docs:
        for d in docs:
            t = d.tensor
            if t is not None:
                t = np.asarray(t)
                d.tags["dtype"] = str(t.dtype)
                d.tags["shape"] = list(t.shape)
                d.embedding = (t.astype(np.float32) * 2).reshape(-1)
            d.tags["n_matches"] = len(d.matches) if d.matches is not None else 0
            d.tags["n_chunks"] = len(d.chunks) if d.chunks is not None else 0
            d.tags["blob_len"] = len(d.blob if not docarray_v2 else (d.bytes_ or b""))
            for m in list(d.matches or []) + list(d.chunks or []):
                m.text = (m.text or "").upper()
        return docs

    @requests(on="/slow")
    def slow(self, docs: Docs, parameters: dict, **kwargs) -> Docs:
        time.sleep(float(parameters.get("sleep", 2)))
        return docs

    @requests(on="/target")
    def target(self, docs: Docs, **kwargs) -> Docs:
        for d in docs:
            d.text = (d.text or "") + "|alpha"
        return docs


class Beta(Executor):
    # Every endpoint of alpha needs one here too (docarray v2 checks that
    # chained Executors agree on each endpoint's schema): a pass-through.
    @requests
    def passthrough(self, docs: Docs, **kwargs) -> Docs:
        return docs

    @requests(on="/target")
    def target(self, docs: Docs, **kwargs) -> Docs:
        for d in docs:
            d.text = (d.text or "") + "|beta"
        return docs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    protocol, port, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    graphql = "graphql" in sys.argv[4:]
    port = port or free_port()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    extra = {"expose_graphql_endpoint": True} if graphql else {}
    flow = (
        Flow(protocol=protocol, port=port, host="127.0.0.1", **extra)
        .add(uses=Alpha, name="alpha")
        .add(uses=Beta, name="beta")
    )
    with flow:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.replace(tmp, port_file)
        flow.block()


if __name__ == "__main__":
    main()
