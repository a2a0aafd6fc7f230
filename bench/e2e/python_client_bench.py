"""Jina's Python client (3.34) against the benchmark Flow, measured like
cpp_client_bench: one JSON line with docs/s, CPU seconds and p50 latency."""
import argparse
import json
import resource
import time

from docarray import DocList
from docarray.documents import TextDoc
from jina import Client


def doc_text(i):
    t = f"document {i} "
    while len(t) < 100:
        t += "lorem ipsum "
    return t[:100]


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--docs", type=int, default=10000)
p.add_argument("--request-size", type=int, default=100)
p.add_argument("--mode", default="throughput")
p.add_argument("--protocol", default="grpc", choices=["grpc", "http", "websocket"])
a = p.parse_args()

client = Client(host="127.0.0.1", port=a.port, protocol=a.protocol)
client.is_flow_ready()
received = 0
latencies = []


def on_done(resp):
    global received
    received += len(resp.docs)


cpu0 = cpu()
t0 = time.perf_counter()
if a.mode == "latency":
    for i in range(a.docs):
        s = time.perf_counter()
        out = client.post("/", inputs=DocList[TextDoc]([TextDoc(text=doc_text(i))]), return_type=DocList[TextDoc])
        received += len(out)
        latencies.append((time.perf_counter() - s) * 1000)
else:
    gen = (TextDoc(text=doc_text(i)) for i in range(a.docs))
    client.post("/", inputs=gen, request_size=a.request_size, on_done=on_done, return_type=DocList[TextDoc])
seconds = time.perf_counter() - t0
out = {"client": "python-jina", "protocol": a.protocol, "mode": a.mode, "docs": a.docs, "request_size": a.request_size,
       "docs_received": received, "seconds": seconds, "docs_per_s": received / seconds,
       "cpu_s": cpu() - cpu0, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if latencies:
    latencies.sort()
    out["p50_ms"] = latencies[int(0.5 * (len(latencies) - 1))]
print(json.dumps(out))
