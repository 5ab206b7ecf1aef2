"""Benchmark this project's config against Rasa's default config on the same data.

For each configuration: training time, NLU accuracy on the held-out set (tests/nlu), model load
time (``rasa run`` start until the server answers), the Rasa server's memory (RSS) after load, the
NLU alone (``POST /model/parse``, median and p95), REST latency (median and p95) and throughput
over a few hundred messages, in one conversation and in 20 concurrent conversations, the growth
of latency in one long conversation (around message 10 against message 150), and the xSID-nl
dev cross-validation of ``scripts/bench_xsid.py``. Prints Markdown tables and the performance
goals checked against Rasa's default config. Not a test: figures depend on the machine.

Both configurations talk to the same backend stand-in (``python -m backend``) and action server.
The project is served the way ``make run`` serves it (``python -m app.rasa_server``, its masking
tracker store on SQLite), once with one Sanic worker and once with one per core (``--workers``, on
the atomic Redis lock store of the production profile); Rasa's default configuration is served the
way Rasa ships it (``rasa run``, Rasa's SQL tracker store on SQLite, one worker). Everything runs on
free ports with its databases in a temporary directory, so a running ``make run`` is not disturbed.
Service logs go to ``var/log/bench-*.log``.

Usage: python scripts/bench.py [--messages 300] [--concurrency 20] [--length 150] [--xsid-folds 5]
       [--only project|default] [--project-model PATH] [--default-epochs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from foundation.settings import stand_in_urls  # noqa: E402
from scaling.cluster import redis_reachable  # noqa: E402
from scripts import bench_xsid  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv/bin/rasa")
PYTHON = str(ROOT / ".venv/bin/python")
LOG_DIR = ROOT / "var/log"
READY_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 120.0
CONFIGS = {"project": ROOT / "config.yml", "default": ROOT / "scripts/bench_default_config.yml"}
#: How each configuration is served: the project's Rasa server process (app/rasa_server.py, as
#: ``make run`` starts it), and Rasa's own ``rasa run`` for Rasa's default configuration.
SERVERS = {"project": [PYTHON, "-m", "app.rasa_server"], "default": [RASA]}
#: Redis database of the lock store when the project is served with several workers.
BENCH_REDIS_DB = 5
#: What each Rasa worker logs once its model is loaded and it serves.
WORKER_READY = "Rasa server is up and running"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen, name: str, limit_s: float = READY_TIMEOUT_S) -> None:
    """Wait until ``url`` answers 200, failing early when the process ends."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}; see {LOG_DIR}/bench-{name}.log")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{name} not ready at {url} within {limit_s:.0f} s; see {LOG_DIR}/bench-{name}.log")


def start(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    """Start a service with its output in ``var/log/bench-<name>.log``."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / f"bench-{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def service_env(tmp: Path, backend_port: int) -> dict[str, str]:
    """Environment for the stand-in and the action server: own databases, stand-in on its port."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        DATABASE_URL=f"sqlite:///{tmp / 'assistant.db'}",
        BACKEND_DATABASE_URL=f"sqlite:///{tmp / 'backend.db'}",
    )
    env.update(
        {name.upper(): url for name, url in stand_in_urls(f"http://127.0.0.1:{backend_port}").items()}
    )
    return env


def held_out_messages() -> list[str]:
    """Resident messages from the held-out NLU test set (never trained on)."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests/nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_strip_annotations(line[2:]))
    return texts


def _strip_annotations(text: str) -> str:
    import re

    text = re.sub(r"\[([^\]]+)\]\{[^}]*\}", r"\1", text)
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)


def capped_config(config: Path, epochs: int, tmp: Path) -> Path:
    """A copy of ``config`` with every ``epochs`` setting set to ``epochs``."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for section in ("pipeline", "policies"):
        for item in data.get(section) or []:
            if "epochs" in item:
                item["epochs"] = epochs
    path = tmp / f"capped-{config.name}"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def train(name: str, config: Path, out: Path, env: dict[str, str]) -> float:
    """Train ``config`` into ``out``; return the wall time (output in ``var/log/bench-train-<name>.log``)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    with open(LOG_DIR / f"bench-train-{name}.log", "w", encoding="utf-8") as log:
        subprocess.run(
            [RASA, "train", "--config", str(config), "--domain", "domain", "--data", "data",
             "--out", str(out), "--fixed-model-name", "bench", "--force"],
            cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT,
        )
    return time.perf_counter() - began


def nlu_accuracy(model: Path, out: Path, env: dict[str, str]) -> float:
    subprocess.run(
        [RASA, "test", "nlu", "--model", str(model), "--nlu", "tests/nlu", "--out", str(out), "--no-plot"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return float(report["accuracy"])


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    except OSError:
        return []
    return [int(c) for c in out]


def _kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(pid: int) -> tuple[float, float]:
    """RSS and PSS (MB) of a process and its children together.

    RSS counts memory the Sanic workers share with their parent once per process; PSS divides
    each shared page among the processes that share it, so it is what the processes cost together.
    """
    pids = [pid, *_children(pid)]
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return rss / 1024, pss / 1024


def wait_workers_loaded(pid: int, workers: int, name: str, limit_s: float = READY_TIMEOUT_S) -> None:
    """Wait until every Sanic worker has loaded the model (each logs when its agent is ready)."""
    deadline = time.monotonic() + limit_s
    log = LOG_DIR / f"bench-{name}.log"
    while time.monotonic() < deadline:
        if log.read_text(encoding="utf-8", errors="replace").count(WORKER_READY) >= workers:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{name}: not all {workers} workers loaded the model in {limit_s:.0f} s; see {log}")


async def _send(client: httpx.AsyncClient, url: str, sender: str, text: str, latencies: list[float]) -> None:
    began = time.perf_counter()
    response = await client.post(url, json={"sender": sender, "message": text})
    response.raise_for_status()
    latencies.append((time.perf_counter() - began) * 1000)


def parse_latency(base: str, messages: list[str]) -> tuple[float, float]:
    """Median and p95 latency (ms) of ``POST /model/parse`` (the NLU pipeline alone)."""
    latencies: list[float] = []
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for text in messages:
            began = time.perf_counter()
            client.post(f"{base}/model/parse", json={"text": text}).raise_for_status()
            latencies.append((time.perf_counter() - began) * 1000)
    return _median_p95(latencies)


def _median_p95(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


async def latency(url: str, messages: list[str], concurrency: int) -> tuple[float, float, float]:
    """Median and p95 latency (ms) and throughput (messages/s) with ``concurrency`` conversations."""
    latencies: list[float] = []
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        chunks = [messages[i::concurrency] for i in range(concurrency)]

        async def conversation(chunk: list[str]) -> None:
            sender = uuid.uuid4().hex
            for text in chunk:
                await _send(client, url, sender, text, latencies)

        await asyncio.gather(*(conversation(c) for c in chunks if c))
    wall = time.perf_counter() - began
    return (*_median_p95(latencies), len(latencies) / wall)


async def growth(url: str, messages: list[str], length: int, window: int = 10) -> tuple[float, float]:
    """Median latency (ms) around the 10th and around the ``length``-th message of one conversation.

    One conversation of ``length`` messages; the medians are over the ``window`` messages ending
    at message 10 + window // 2 and at message ``length``, so a single slow message does not decide.
    """
    latencies: list[float] = []
    sender = uuid.uuid4().hex
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        for text in (messages * (length // max(len(messages), 1) + 1))[:length]:
            await _send(client, url, sender, text, latencies)
    early_end = 10 + window // 2
    early, late = latencies[early_end - window : early_end], latencies[-window:]
    return statistics.median(early), statistics.median(late)


def serve_and_measure(
    name: str,
    model: Path,
    actions_url: str,
    messages: list[str],
    concurrency: int,
    tmp: Path,
    env: dict[str, str],
    length: int,
    workers: int = 1,
) -> tuple[float, tuple[float, float], tuple[float, float], tuple, tuple, tuple[float, float]]:
    """Start the Rasa server with ``model`` and ``workers`` Sanic workers; measure it.

    Returns load time, memory (RSS, PSS) after load, parse latency, REST latencies and growth.
    More than one worker needs a lock store the workers share: the atomic Redis lock store of the
    production profile (``scaling/lock_store.py``) on the local Redis.
    """
    port = free_port()
    endpoints = tmp / "endpoints.yml"
    lock_store = "lock_store:\n  type: in_memory\n"
    if workers > 1:
        lock_store = (
            "lock_store:\n  type: scaling.lock_store.AtomicRedisLockStore\n  url: 127.0.0.1\n  port: 6379\n"
            f"  db: {BENCH_REDIS_DB}\n  key_prefix: bench-{uuid.uuid4().hex[:8]}\n"
        )
    # the project: its masking, caching, compacting store; the default: Rasa's own SQL store
    store = "privacy.tracker_store.MaskingTrackerStore" if name == "project" else "sql"
    endpoints.write_text(
        f"action_endpoint:\n  url: {actions_url}\n"
        f"tracker_store:\n  type: {store}\n  dialect: sqlite\n"
        f"  db: {tmp / f'tracker-{workers}.db'}\n{lock_store}",
        encoding="utf-8",
    )
    began = time.perf_counter()
    proc = start(
        f"rasa-{name}",
        [*SERVERS[name], "run", "--model", str(model), "--port", str(port), "-i", "127.0.0.1", "--enable-api",
         "--endpoints", str(endpoints), "--credentials", "credentials.yml"],
        {**env, "SANIC_WORKERS": str(workers)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(f"{base}/", proc, f"rasa-{name}")
        if workers > 1:
            wait_workers_loaded(proc.pid, workers, f"rasa-{name}")
        load_s = time.perf_counter() - began
        memory = memory_mb(proc.pid)
        parse = parse_latency(base, messages)
        url = f"{base}/webhooks/rest/webhook"
        single = asyncio.run(latency(url, messages, 1))
        concurrent = asyncio.run(latency(url, messages, concurrency))
        long_conversation = asyncio.run(growth(url, messages, length))
        return load_s, memory, parse, single, concurrent, long_conversation
    finally:
        stop(proc)


@dataclass
class Row:
    """The figures of one configuration."""

    name: str
    train_s: float
    accuracy: float
    load_s: float
    memory: tuple[float, float]
    parse: tuple[float, float]
    single: tuple[float, float, float]
    concurrent: tuple[float, float, float]
    long_conversation: tuple[float, float]
    xsid: dict[str, float] | None
    workers: int = 1

    @property
    def label(self) -> str:
        """The row's name in the tables."""
        name = "this project" if self.name == "project" else "Rasa default"
        return f"{name}, {self.workers} worker{'s' if self.workers > 1 else ''}"


def xsid_figures(config: Path, folds: int, tmp: Path) -> dict[str, float] | None:
    """Cross-validation on the xSID-nl dev file (scripts/bench_xsid.py), or None when skipped."""
    if folds <= 0:
        return None
    print(f"[{config.name}] xSID-nl {folds}-fold cross-validation ...", file=sys.stderr)
    work = tmp / "xsid"
    work.mkdir(exist_ok=True)
    return bench_xsid.evaluate(config.resolve(), bench_xsid.read_conll(bench_xsid.DEV_FILE), folds, 42, work)


def goals(p: Row, d: Row | None) -> list[tuple[str, str, bool | None]]:
    """The performance goals: (goal, measured, met?) for the project ``p`` against the default ``d``."""
    return [
        ("p95 at N concurrent <= 0.5x default", *_ratio(p.concurrent[1], d and d.concurrent[1], 0.5, "<=")),
        ("throughput at N concurrent >= 2x default",
         *_ratio(p.concurrent[2], d and d.concurrent[2], 2.0, ">=")),
        ("message L within 1.25x of message 10",
         *_ratio(p.long_conversation[1], p.long_conversation[0], 1.25, "<=")),
        ("model load <= 15 s", f"{p.load_s:.1f} s", p.load_s <= 15),
        ("server RSS after load <= 1.0 GB", f"{p.memory[0]:.0f} MB", p.memory[0] <= 1024),
        ("full training <= 3 min", *(("n/a", None) if p.train_s != p.train_s else  # NaN: not trained here
                                     (f"{p.train_s:.0f} s", p.train_s <= 180))),
        ("xSID intent accuracy above default", *_xsid(p, d, "intent_accuracy", 0.0)),
        ("xSID intent macro-F1 above default", *_xsid(p, d, "intent_macro_f1", 0.0)),
        ("xSID entity F1 >= default + 0.05", *_xsid(p, d, "entity_f1", 0.05)),
    ]


def _ratio(value: float, reference: float | None, bound: float, sense: str) -> tuple[str, bool | None]:
    if not reference:
        return "n/a", None
    ratio = value / reference
    return f"{ratio:.2f}x", ratio <= bound if sense == "<=" else ratio >= bound


def _xsid(project: Row, default: Row | None, key: str, margin: float) -> tuple[str, bool | None]:
    if not (project.xsid and default and default.xsid):
        return "n/a", None
    mine, theirs = project.xsid[key], default.xsid[key]
    better = mine >= theirs + margin if margin else mine > theirs
    return f"{mine:.3f} vs {theirs:.3f}", better


def print_report(rows: list[Row], args: argparse.Namespace, n_messages: int) -> None:
    """The Markdown tables of every configuration, then the goals checked against the default."""
    cores = os.cpu_count()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    n, length = args.concurrency, args.length
    print(f"\nBenchmark {time.strftime('%Y-%m-%d')}, {platform.machine()}, {cores} cores, "
          f"{mem_gb:.0f} GiB; {n_messages} REST messages from tests/nlu\n")
    print(f"| config | training s | NLU accuracy (held-out) | load s | RSS / PSS after load MB "
          f"| NLU parse median / p95 ms | 1 conversation median / p95 ms | {n} concurrent median / p95 ms "
          f"| messages/s at {n} | message 10 / {length} median ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        label = row.label
        if row.name == "default" and args.default_epochs:
            label += f" (epochs capped at {args.default_epochs})"
        print(f"| {label} | {row.train_s:.0f} | {row.accuracy:.3f} | {row.load_s:.1f} "
              f"| {row.memory[0]:.0f} / {row.memory[1]:.0f} "
              f"| {row.parse[0]:.0f} / {row.parse[1]:.0f} | {row.single[0]:.0f} / {row.single[1]:.0f} "
              f"| {row.concurrent[0]:.0f} / {row.concurrent[1]:.0f} | {row.concurrent[2]:.1f} "
              f"| {row.long_conversation[0]:.0f} / {row.long_conversation[1]:.0f} |")
    if any(row.xsid for row in rows):
        print(f"\nxSID-nl dev, {args.xsid_folds}-fold cross-validation (bench/xsid, scripts/bench_xsid.py)\n")
        print("| config | intent accuracy | intent macro-F1 | entity precision | entity recall | entity F1 |")
        print("|---|---|---|---|---|---|")
        shown: set[str] = set()
        for row in rows:
            if row.xsid and row.name not in shown:  # one cross-validation per configuration
                shown.add(row.name)
                x = row.xsid
                print(f"| {row.name} | {x['intent_accuracy']:.3f} | {x['intent_macro_f1']:.3f} "
                      f"| {x['entity_precision']:.3f} | {x['entity_recall']:.3f} | {x['entity_f1']:.3f} |")
    projects = [row for row in rows if row.name == "project"]
    default = next((row for row in rows if row.name == "default"), None)
    if not projects:
        return
    print(f"\nGoals (this project against Rasa's default config with 1 worker, N = {n}, L = {length})\n")
    print("| goal | " + " | ".join(f"{row.label}: measured | met" for row in projects) + " |")
    print("|---|" + "---|---|" * len(projects))
    checked = [goals(row, default) for row in projects]
    for i, (label, _, _) in enumerate(checked[0]):
        cells = []
        for row_goals in checked:
            _, shown, met = row_goals[i]
            cells.append(f"{shown} | {'n/a' if met is None else ('yes' if met else 'NO')}")
        label = label.replace("N", str(n)).replace("message L", f"message {length}")
        print(f"| {label} | " + " | ".join(cells) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--only", choices=sorted(CONFIGS))
    parser.add_argument(
        "--project-model",
        help="measure this already trained model of config.yml instead of training it (no training time)",
    )
    parser.add_argument(
        "--default-epochs",
        type=int,
        default=0,
        help="cap the epochs of every model in Rasa's default config when trained on the project's data "
        "(0: as Rasa ships it, 100); the table then says so. Serving costs do not depend on the epochs; "
        "the xSID-nl check always trains the default config as shipped",
    )
    parser.add_argument("--length", type=int, default=150, help="messages in the long conversation")
    parser.add_argument("--xsid-folds", type=int, default=5, help="folds of the xSID-nl check (0: skip it)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="also serve the project with this many Sanic workers (atomic Redis lock store; default: cores)",
    )
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    texts = held_out_messages()
    messages = (texts * (args.messages // max(len(texts), 1) + 1))[: args.messages]

    rows = []
    service_dir = tempfile.TemporaryDirectory()
    backend_port, actions_port = free_port(), free_port()
    env = service_env(Path(service_dir.name), backend_port)
    backend = start("backend", [PYTHON, "-m", "backend", "--port", str(backend_port)], env)
    actions = start(
        "actions", [RASA, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        {**env, "SANIC_HOST": "127.0.0.1"},
    )
    try:
        wait_ready(f"http://127.0.0.1:{backend_port}/health", backend, "backend")
        wait_ready(f"http://127.0.0.1:{actions_port}/health", actions, "actions")
        for name, config in CONFIGS.items():
            if args.only and name != args.only:
                continue
            with tempfile.TemporaryDirectory() as tmpdir:
                tmp = Path(tmpdir)
                if name == "default" and args.default_epochs:
                    config = capped_config(config, args.default_epochs, tmp)
                if name == "project" and args.project_model:
                    train_s, model = float("nan"), Path(args.project_model).resolve()
                else:
                    print(f"[{name}] training ...", file=sys.stderr)
                    train_s = train(name, config, tmp, env)
                    model = tmp / "bench.tar.gz"
                print(f"[{name}] NLU test ...", file=sys.stderr)
                accuracy = nlu_accuracy(model, tmp / "nlu", env)
                # the quality check on data nobody here wrote uses each configuration as shipped,
                # also when --default-epochs caps the default for the serving figures
                xsid = xsid_figures(CONFIGS[name], args.xsid_folds, tmp)
                worker_counts = sorted({1, args.workers}) if name == "project" else [1]
                for workers in worker_counts:
                    if workers > 1 and not redis_reachable():
                        print(f"[{name}] Redis on 127.0.0.1:6379 not reachable: no {workers}-worker row",
                              file=sys.stderr)
                        continue
                    print(f"[{name}] serving with {workers} worker(s) ...", file=sys.stderr)
                    load_s, memory, parse, single, concurrent, long_conversation = serve_and_measure(
                        name, model, f"http://127.0.0.1:{actions_port}/webhook", messages, args.concurrency,
                        tmp, env, args.length, workers,
                    )
                    row = Row(name, train_s, accuracy, load_s, memory, parse, single, concurrent,
                              long_conversation, xsid, workers)
                    rows.append(row)
                    print(f"[{row.label}] training {train_s:.0f} s, accuracy {accuracy:.3f}, "
                          f"load {load_s:.1f} s, RSS {memory[0]:.0f} MB, PSS {memory[1]:.0f} MB, "
                          f"parse {parse[0]:.0f}/{parse[1]:.0f} ms, "
                          f"latency 1 conv {single[0]:.0f}/{single[1]:.0f} ms, "
                          f"{args.concurrency} conv {concurrent[0]:.0f}/{concurrent[1]:.0f} ms (median/p95), "
                          f"{concurrent[2]:.1f} messages/s", file=sys.stderr, flush=True)
    finally:
        stop(actions)
        stop(backend)
        service_dir.cleanup()

    print_report(rows, args, len(messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
