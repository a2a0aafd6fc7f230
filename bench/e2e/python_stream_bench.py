"""Jina's Python client (3.34) reading a streaming endpoint (the benchmark
Flow's /stream, or a jina Flow's) with stream_doc over gRPC or HTTP (SSE),
measured like cpp_stream_bench: one untimed stream of one item, then
`--streams` streams of `--items` items one after the other; one JSON line
with time to first item, items/s, CPU seconds and peak RSS."""
import argparse
import asyncio
import json
import resource
import time

from docarray.documents import TextDoc
from jina import Client


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def percentile(values, p):
    values = sorted(values)
    return values[int(p * (len(values) - 1))] if values else 0


async def stream(client, endpoint, n, items, first_ms):
    start = time.perf_counter()
    got = 0
    async for _ in client.stream_doc(on=endpoint, inputs=TextDoc(id=f"s{n}", text=str(items)),
                                     return_type=TextDoc):
        if got == 0:
            first_ms.append((time.perf_counter() - start) * 1000)
        got += 1
    return got


async def main(a):
    # jina 3.34 exports no AsyncClient: Client(asyncio=True) is it.
    client = Client(host="127.0.0.1", port=a.port, protocol=a.protocol, asyncio=True)
    await stream(client, a.endpoint, -1, 1, [])  # connect, first-call costs
    first_ms = []
    received = 0
    cpu0 = cpu()
    t0 = time.perf_counter()
    for n in range(a.streams):
        received += await stream(client, a.endpoint, n, a.items, first_ms)
    seconds = time.perf_counter() - t0
    return {"client": "python-jina", "protocol": a.protocol, "streams": a.streams, "items": a.items,
            "items_received": received, "seconds": seconds, "items_per_s": received / seconds,
            "cpu_s": cpu() - cpu0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "first_p50_ms": percentile(first_ms, 0.5), "first_p90_ms": percentile(first_ms, 0.9)}


p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--streams", type=int, default=10)
p.add_argument("--items", type=int, default=10000)
p.add_argument("--endpoint", default="/stream")
p.add_argument("--protocol", default="grpc", choices=["grpc", "http"])
print(json.dumps(asyncio.run(main(p.parse_args()))))
