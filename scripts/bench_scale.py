"""Benchmark one Rasa instance against two behind nginx (make bench-scale).

Starts the local production topology of ``make test-scale`` (scaling/cluster.py: nginx, two
``rasa run`` instances and two action servers on PostgreSQL and Redis), then for 20 and 50
concurrent conversations sends the same messages (held-out NLU set, tests/nlu) through nginx,
first with only instance A behind it, then with both (graceful nginx reload in between). Each
conversation sends its messages one after the other, as a resident does. Prints messages/s and the
median/p95 latency per run as a Markdown table. Not a test: figures depend on the machine and on
whatever else runs on it.

Usage: python scripts/bench_scale.py [--messages 200] [--concurrency 20 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import held_out_messages  # noqa: E402
from scaling.cluster import Cluster  # noqa: E402

MODEL = ROOT / "models/gemeente.tar.gz"
PORT_BASE = 40100 + int(os.environ.get("TEST_PORT_OFFSET", "0"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_load(url: str, messages: list[str], concurrency: int) -> dict[str, float]:
    """Send ``messages`` over ``concurrency`` conversations; return throughput and latencies."""
    latencies: list[float] = []
    errors = 0
    chunks = [messages[i::concurrency] for i in range(concurrency)]
    async with httpx.AsyncClient(timeout=180, limits=httpx.Limits(max_connections=concurrency + 5)) as client:

        async def conversation(chunk: list[str]) -> None:
            nonlocal errors
            sender = uuid.uuid4().hex
            for text in chunk:
                began = time.perf_counter()
                try:
                    response = await client.post(url, json={"sender": sender, "message": text})
                    response.raise_for_status()
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(conversation(c) for c in chunks if c))
        wall = time.perf_counter() - began
    return {
        "rate": len(latencies) / wall,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) if latencies else float("nan"),
        "errors": errors,
        "wall": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[20, 50])
    args = parser.parse_args()
    texts = held_out_messages()
    messages = (texts * (args.messages // max(len(texts), 1) + 1))[: args.messages]
    rows = []
    print("starting nginx, 2 Rasa instances, 2 action servers ...", file=sys.stderr, flush=True)
    with Cluster(model=MODEL, port_base=PORT_BASE, instances=2) as cluster:
        url = f"{cluster.public_url}/webhooks/rest/webhook"
        asyncio.run(run_load(url, messages[:10], 2))  # warm up both instances
        for concurrency in args.concurrency:
            for instances in ([0], [0, 1]):
                cluster.reload_nginx(instances)
                result = asyncio.run(run_load(url, messages, concurrency))
                rows.append((len(instances), concurrency, result))
                print(f"{len(instances)} instance(s), {concurrency} conversations: "
                      f"{result['rate']:.1f} msg/s, "
                      f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, errors {result['errors']}",
                      file=sys.stderr, flush=True)
        load = os.getloadavg()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"\nbench-scale {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"{mem_gb:.0f} GiB, load average at the end {load[0]:.1f} (shared machine); "
          f"{len(messages)} REST messages from tests/nlu per run, through nginx\n")
    print("| Rasa instances | concurrent conversations | messages/s | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|---|---|")
    for instances, concurrency, r in rows:
        print(f"| {instances} | {concurrency} | {r['rate']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
              f"| {r['errors']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
