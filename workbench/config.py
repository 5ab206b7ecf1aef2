"""Workbench settings, from environment variables (read when the app starts, never at import)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class ConfigurationError(RuntimeError):
    """The settings do not allow a safe start."""


MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class WorkbenchSettings:
    """All workbench settings.

    Attributes:
        production: ``WORKBENCH_ENV=production``: secure cookies and a configured secret required.
        secret: ``WORKBENCH_SECRET``, signs session cookies and CSRF tokens.
        db_url: ``WORKBENCH_DB_URL``, the workbench's own database.
        tracker_db_url: ``TRACKER_DB_URL``, the tracker store the inbox reads.
        repo: ``WORKBENCH_REPO``, the git checkout whose data the workbench edits.
        rasa_url: ``RASA_URL``, the running assistant ("Probeer het").
        rasa_token: ``RASA_TOKEN``, token for the Rasa HTTP API when it is protected.
        low_confidence: ``WORKBENCH_LOW_CONFIDENCE``, below this an answer counts as unsure.
        sample_percent: ``WORKBENCH_SAMPLE_PERCENT``, share of confident messages in the inbox.
        session_hours: ``WORKBENCH_SESSION_HOURS``, how long a sign-in lasts.
        baseline_model: ``WORKBENCH_BASELINE_MODEL``, model for the "before" figures.
    """

    production: bool
    secret: str
    db_url: str
    tracker_db_url: str
    repo: Path
    rasa_url: str
    rasa_token: str
    low_confidence: float
    sample_percent: float
    session_hours: float
    baseline_model: str

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WorkbenchSettings:
        """Read the settings.

        Raises:
            ConfigurationError: production without a (long enough) ``WORKBENCH_SECRET``.
        """
        env = os.environ if environ is None else environ
        production = env.get("WORKBENCH_ENV", "development").strip().lower() == "production"
        secret = env.get("WORKBENCH_SECRET", "")
        if production and len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"WORKBENCH_ENV=production needs WORKBENCH_SECRET (at least {MIN_SECRET_LENGTH} characters)"
            )
        repo = Path(env.get("WORKBENCH_REPO", ".")).resolve()
        return cls(
            production=production,
            secret=secret or secrets.token_urlsafe(48),
            db_url=env.get("WORKBENCH_DB_URL", f"sqlite:///{repo / 'var/workbench.db'}"),
            tracker_db_url=env.get("TRACKER_DB_URL", f"sqlite:///{repo / 'var/tracker.db'}"),
            repo=repo,
            rasa_url=env.get("RASA_URL", "http://localhost:5005").rstrip("/"),
            rasa_token=env.get("RASA_TOKEN", ""),
            low_confidence=float(env.get("WORKBENCH_LOW_CONFIDENCE", "0.6")),
            sample_percent=float(env.get("WORKBENCH_SAMPLE_PERCENT", "5")),
            session_hours=float(env.get("WORKBENCH_SESSION_HOURS", "8")),
            baseline_model=env.get("WORKBENCH_BASELINE_MODEL", str(repo / "models/gemeente.tar.gz")),
        )
