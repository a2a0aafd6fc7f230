"""The Markdown table of the streaming benchmark (bench/e2e/stream_run.sh)
from its JSON lines: per protocol, workload and client, the medians of the
runs, with ratios to the raw-gRPC floor and to Jina's Python client.
Usage: stream_table.py <results.jsonl> <runs per cell>"""
import json
import statistics
import sys

cells = {}  # in the order the workloads ran
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        key = (r.get("protocol", "grpc"), r["streams"], r["items"])
        cells.setdefault(key, {}).setdefault(r["client"], []).append(r)


def med(runs, f):
    return statistics.median(f(r) for r in runs)


def first(r):
    return r["first_p50_ms"]


def rate(r):
    return r["items_per_s"]


def cpu(r):
    return r["cpu_s"] / r["items_received"] * 1e6 if r["items_received"] else float("nan")


def ratio(a, b):
    return f"{a / b:.2f}x" if b else ""


print(f"\nEach cell: the median of {sys.argv[2]} runs. First item: p50 and p90 over the run's streams.\n")
print("| workload | client | first item p50 ms | p90 ms | p50 vs floor | items/s | vs floor | vs Python "
      "| client CPU µs/item | Python CPU ÷ this | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for (protocol, streams, items), by in cells.items():
    floor, py = by.get("grpc-floor"), by.get("python-jina")
    for client in ("grpc-floor", "jina-cpp", "python-jina"):
        runs = by.get(client)
        if not runs:
            continue
        lost = "" if all(r["items_received"] == streams * items for r in runs) else " (LOST ITEMS)"
        workload = (f"{protocol}, {streams:,} stream{'s' if streams > 1 else ''} × "
                    f"{items:,} item{'s' if items > 1 else ''}")
        print(f"| {workload} "
              f"| {client}{lost} | {med(runs, first):.3f} | {med(runs, lambda r: r['first_p90_ms']):.3f} "
              f"| {ratio(med(runs, first), med(floor, first)) if floor else ''} "
              f"| {med(runs, rate):,.0f} | {ratio(med(runs, rate), med(floor, rate)) if floor else ''} "
              f"| {ratio(med(runs, rate), med(py, rate)) if py else ''} | {med(runs, cpu):.1f} "
              f"| {ratio(med(py, cpu), med(runs, cpu)) if py else ''} "
              f"| {med(runs, lambda r: r['peak_rss_mb']):.0f} |")
