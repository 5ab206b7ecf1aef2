"""Small job scheduler started by ``scripts/run.sh``.

    python scripts/scheduler.py [--once] [--daily-at HH:MM] [--retry-minutes N]

Jobs (each one a child process, so a crash or a hang of one job cannot stop the scheduler):

* daily, at ``--daily-at`` (local time) or at start-up when today's run has not happened yet:
  ``python -m app.signals`` (evaluate + deliver) and ``python -m app.purge`` (retention);
* every ``--retry-minutes``: ``python -m app.signals --deliver-only`` (retries pending signals).

Every job is idempotent (the signal ledger is unique per resident/rule/period; the purge deletes by
age), so running one again after a restart is harmless. Failures are logged and the loop goes on.
``--once`` runs every job once, in order, and exits with 1 when one of them failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger("scheduler")

#: A job that takes longer than this is killed (it will run again at its next turn).
JOB_TIMEOUT_SECONDS = 30 * 60
TICK_SECONDS = 30.0


@dataclass(frozen=True)
class Job:
    """A command (``python -m <module> <args>``) and how often it runs."""

    name: str
    module: str
    args: tuple[str, ...] = ()
    daily: bool = True


Runner = Callable[[Job], Awaitable[bool]]


def default_jobs() -> list[Job]:
    """The daily jobs and the retry job."""
    return [
        Job("signals", "app.signals"),
        Job("purge", "app.purge"),
        Job("signals-retry", "app.signals", ("--deliver-only",), daily=False),
    ]


async def run_job(job: Job, timeout: float = JOB_TIMEOUT_SECONDS) -> bool:
    """Run one job as a child process; True when it exited with 0. Never raises."""
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", job.module, *job.args, cwd=str(ROOT)
        )
    except OSError:
        logger.exception("job %s could not be started", job.name)
        return False
    try:
        code = await asyncio.wait_for(process.wait(), timeout)
    except asyncio.TimeoutError:
        logger.error("job %s took longer than %s s and was stopped", job.name, timeout)
        process.kill()
        await process.wait()
        return False
    if code != 0:
        logger.error("job %s exited with %s", job.name, code)
        return False
    logger.info("job %s done", job.name)
    return True


async def run_once(jobs: Sequence[Job], runner: Runner = run_job) -> bool:
    """Run every job once, in order; True when all succeeded (a failure does not stop the rest)."""
    ok = True
    for job in jobs:
        try:
            ok = await runner(job) and ok
        except Exception:  # noqa: BLE001 - the scheduler survives anything a job does
            logger.exception("job %s failed", job.name)
            ok = False
    return ok


@dataclass
class Schedule:
    """When the jobs last ran (in memory: a restart runs the daily jobs again, which is harmless)."""

    daily_at: time
    retry_seconds: float
    last_daily: date | None = None
    last_retry: datetime | None = None

    def due(self, jobs: Sequence[Job], now: datetime) -> list[Job]:
        """The jobs to run at ``now`` (and bookkeeping that they ran)."""
        result: list[Job] = []
        if self.last_daily != now.date() and (self.last_daily is None or now.time() >= self.daily_at):
            result += [job for job in jobs if job.daily]
            self.last_daily = now.date()
            self.last_retry = now
        elif self.last_retry is None or (now - self.last_retry).total_seconds() >= self.retry_seconds:
            result += [job for job in jobs if not job.daily]
            self.last_retry = now
        return result


async def loop(
    jobs: Sequence[Job],
    schedule: Schedule,
    runner: Runner = run_job,
    clock: Callable[[], datetime] = datetime.now,
    tick: float = TICK_SECONDS,
    max_ticks: int | None = None,
) -> None:
    """Run due jobs forever (or ``max_ticks`` times, for tests)."""
    ticks = 0
    while max_ticks is None or ticks < max_ticks:
        ticks += 1
        try:
            await run_once(schedule.due(jobs, clock()), runner)
        except Exception:  # noqa: BLE001
            logger.exception("scheduler tick failed")
        await asyncio.sleep(tick)


def _clock_time(value: str) -> time:
    try:
        hour, minute = value.split(":")
        return time(int(hour), int(minute))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("use HH:MM") from exc


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="scripts/scheduler.py", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    parser.add_argument("--daily-at", type=_clock_time, default=time(7, 0), help="time of the daily jobs")
    parser.add_argument("--retry-minutes", type=float, default=5.0, help="minutes between delivery retries")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jobs = default_jobs()
    logger.info("jobs: %s", ", ".join(job.name for job in jobs) or "none")
    if args.once:
        return 0 if asyncio.run(run_once(jobs)) else 1
    try:
        asyncio.run(loop(jobs, Schedule(args.daily_at, args.retry_minutes * 60)))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
