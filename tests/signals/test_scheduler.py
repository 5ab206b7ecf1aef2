"""scripts/scheduler.py: which jobs run when, and failures do not stop the loop."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime, time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scheduler():
    spec = importlib.util.spec_from_file_location("scheduler", ROOT / "scripts" / "scheduler.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scheduler"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("scheduler", None)


def test_default_jobs(scheduler):
    jobs = {job.name: job for job in scheduler.default_jobs()}
    assert jobs["signals"].module == "app.signals" and jobs["signals"].daily
    assert jobs["signals-retry"].args == ("--deliver-only",) and not jobs["signals-retry"].daily
    assert jobs["purge"].module == "app.purge"


def test_schedule_runs_daily_jobs_once_a_day_and_retries_in_between(scheduler):
    jobs = scheduler.default_jobs()
    schedule = scheduler.Schedule(daily_at=time(7, 0), retry_seconds=300)

    def names(at: str) -> list[str]:
        return [job.name for job in schedule.due(jobs, datetime.fromisoformat(at))]

    assert names("2026-11-28 17:00") == ["signals", "purge"]  # start-up: today's run is missing
    assert names("2026-11-28 17:01") == []
    assert names("2026-11-28 17:05") == ["signals-retry"]
    assert names("2026-11-29 06:59") == ["signals-retry"]  # not yet time for the daily jobs
    assert names("2026-11-29 07:02") == ["signals", "purge"]
    assert names("2026-11-29 07:03") == []


async def test_a_failing_job_does_not_stop_the_others(scheduler):
    ran: list[str] = []

    async def runner(job) -> bool:
        ran.append(job.name)
        if job.name == "signals":
            raise RuntimeError("boom")
        return job.name != "purge"

    jobs = scheduler.default_jobs()
    assert await scheduler.run_once(jobs, runner) is False
    assert ran == [job.name for job in jobs]

    ticks: list[str] = []

    async def counting(job) -> bool:
        ticks.append(job.name)
        raise RuntimeError("always")

    schedule = scheduler.Schedule(daily_at=time(7, 0), retry_seconds=0)
    await scheduler.loop(
        jobs, schedule, counting, clock=lambda: datetime(2026, 11, 28, 8), tick=0, max_ticks=3
    )
    assert ticks == ["signals", "purge", "signals-retry", "signals-retry"]


async def test_run_job_reports_the_exit_status(scheduler):
    assert await scheduler.run_job(scheduler.Job("ok", "json.tool", ("--help",))) is True
    assert await scheduler.run_job(scheduler.Job("bad", "no_such_module_xyz")) is False
