"""Bench (issue 13): does one huge message stall other residents? ``make bench-security``.

Sends the 1 MB message ``"NL12 " * 200000`` over REST (again and again, from ``--attackers``
senders at once) while a second resident says "hallo" ``--messages`` times, one after another, and
reports that resident's median and p95 latency, and what the huge messages got back (HTTP status).

    python scripts/bench_security.py [--rasa-url http://localhost:5005] [--messages 40]

Without ``--rasa-url`` the whole assistant is started on free ports (``scripts/run.sh --background``)
with a temporary SQLite state, and stopped afterwards. No timed assertion anywhere: a figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HUGE = "NL12 " * 200000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def attacker(client: httpx.AsyncClient, url: str, stop: asyncio.Event, statuses: Counter) -> None:
    while not stop.is_set():
        try:
            response = await client.post(url, json={"sender": uuid.uuid4().hex, "message": HUGE})
            statuses[response.status_code] += 1
        except httpx.HTTPError as error:
            statuses[type(error).__name__] += 1


async def measure(rasa_url: str, messages: int, attackers: int) -> tuple[list[float], Counter]:
    url = f"{rasa_url}/webhooks/rest/webhook"
    statuses: Counter = Counter()
    stop = asyncio.Event()
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=120) as client:
        await client.post(url, json={"sender": "warm-up", "message": "hallo"})
        tasks = [asyncio.create_task(attacker(client, url, stop, statuses)) for _ in range(attackers)]
        await asyncio.sleep(1)
        resident = uuid.uuid4().hex
        for _ in range(messages):
            began = time.perf_counter()
            await client.post(url, json={"sender": resident, "message": "hallo"})
            latencies.append(time.perf_counter() - began)
        stop.set()
        await asyncio.gather(*tasks)
    return latencies, statuses


def start_assistant(tmp: Path) -> tuple[str, dict[str, str]]:
    ports = {name: str(free_port()) for name in ("BACKEND_PORT", "ACTIONS_PORT", "RASA_PORT", "WEBCHAT_PORT")}
    endpoints = tmp / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("var/tracker.db", str(tmp / "tracker.db"))
        .replace("localhost:5055", f"localhost:{ports['ACTIONS_PORT']}")
    )
    env = dict(
        os.environ,
        **ports,
        RUN_DIR=str(tmp / "run"),
        LOG_DIR=str(tmp / "log"),
        ENDPOINTS=str(endpoints),
        DATABASE_URL=f"sqlite:///{tmp / 'assistant.db'}",
        TRACKER_DB_URL=f"sqlite:///{tmp / 'tracker.db'}",
        BACKEND_DATABASE_URL=f"sqlite:///{tmp / 'backend.db'}",
        RASA_START_SECONDS=os.environ.get("RASA_START_SECONDS", "900"),
    )
    command = ["scripts/run.sh", "--background"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return f"http://localhost:{ports['RASA_PORT']}", env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", help="measure a running assistant instead of starting one")
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--attackers", type=int, default=2)
    args = parser.parse_args()
    env = None
    with tempfile.TemporaryDirectory() as tmpdir:
        rasa_url = args.rasa_url
        if not rasa_url:
            print("starting the assistant ...", file=sys.stderr)
            rasa_url, env = start_assistant(Path(tmpdir))
        try:
            latencies, statuses = asyncio.run(measure(rasa_url, args.messages, args.attackers))
        finally:
            if env is not None:
                subprocess.run(["scripts/run.sh", "--stop"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"second resident while 1 MB messages arrive: median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms over {len(ordered)} messages; huge messages answered: {dict(statuses)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
