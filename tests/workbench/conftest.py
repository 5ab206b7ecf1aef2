"""Fixtures of the workbench tests: a tracker database with conversations, a repo copy, an app."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from privacy.tracker_db import _metadata, events

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400.0
#: 2026-11-30 12:00 UTC
T0 = 1796040000.0


class Conversations:
    """Writes events the way Rasa's SQL tracker store does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, sender: str, type_name: str, data: dict[str, Any], timestamp: float) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                events.insert().values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=timestamp,
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )
            return int(result.inserted_primary_key[0])

    def user(
        self,
        sender: str,
        text: str,
        intent: str,
        confidence: float,
        timestamp: float,
        channel: str = "rest",
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        return self.add(
            sender,
            "user",
            {
                "event": "user",
                "timestamp": timestamp,
                "text": text,
                "input_channel": channel,
                "parse_data": {
                    "text": text,
                    "intent": {"name": intent, "confidence": confidence},
                    "entities": entities or [],
                },
            },
            timestamp,
        )

    def bot(self, sender: str, text: str, timestamp: float) -> int:
        return self.add(sender, "bot", {"event": "bot", "timestamp": timestamp, "text": text}, timestamp)

    def action(self, sender: str, name: str, timestamp: float) -> int:
        return self.add(
            sender, "action", {"event": "action", "timestamp": timestamp, "name": name}, timestamp
        )


@pytest.fixture
def tracker(tmp_path: Path) -> Iterator[Conversations]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    _metadata.create_all(engine)
    yield Conversations(engine)
    engine.dispose()


def make_repo(target: Path) -> Path:
    """A git repository at ``target`` with a copy of the project's data, domain, contract and tests."""
    target.mkdir()
    for name in ("data", "domain", "tests/nlu", "docs/spec", "content", "tests/stories"):
        shutil.copytree(ROOT / name, target / name)
    for name in ("config.yml", ".gitignore"):
        shutil.copy(ROOT / name, target / name)
    subprocess.run(["git", "init", "--quiet", "-b", "main", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "."], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(target),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "--quiet",
            "-m",
            "start",
        ],
        check=True,
    )
    return target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a copy of the project's data, domain, contract and test set."""
    return make_repo(tmp_path / "repo")
