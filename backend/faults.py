"""Test-only fault switch of the stand-in: simulate a backend that is down or slow.

Only active when ``BACKEND_ALLOW_FAULTS=1``. Then ``BACKEND_FAULTS`` sets the faults at start and
``GET/PUT /_admin/faults`` reads or changes them at run time. Spec format (env and ``spec`` field):

- ``""`` or ``none``: healthy;
- ``down``: every API request gets ``503``;
- ``slow:<seconds>``: every API request is delayed;
- optional ``@<path prefix>`` limits the fault, e.g. ``down@/zaken/api/v1``.

``/health`` and ``/_admin`` are never affected.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from backend.common import ApiError, json_body, problem


@dataclass
class Faults:
    """The active fault."""

    mode: str = "none"
    delay: float = 0.0
    prefix: str = ""

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Parse a spec like ``slow:2.5@/afspraken``.

        Raises:
            ValueError: Unknown mode or bad delay.
        """
        spec = spec.strip()
        spec, _, prefix = spec.partition("@")
        mode, _, delay = spec.partition(":")
        mode = mode or "none"
        if mode not in ("none", "down", "slow"):
            raise ValueError(f"unknown fault mode {mode!r}")
        seconds = float(delay) if delay else (1.0 if mode == "slow" else 0.0)
        if seconds < 0:
            raise ValueError("delay must be >= 0")
        return cls(mode=mode, delay=seconds, prefix=prefix)

    def spec(self) -> str:
        """Return the spec string of this fault."""
        text = self.mode if self.mode != "slow" else f"slow:{self.delay:g}"
        return f"{text}@{self.prefix}" if self.prefix else text

    def applies(self, path: str) -> bool:
        """Whether the fault hits a request to ``path``."""
        if self.mode == "none" or path == "/health" or path.startswith("/_admin"):
            return False
        return path.startswith(self.prefix) if self.prefix else True


async def apply_faults(request: Request) -> HTTPResponse | None:
    """Request middleware: answer 503 or delay when a fault applies."""
    faults: Faults | None = getattr(request.app.ctx, "faults", None)
    if faults is None or not faults.applies(request.path):
        return None
    if faults.mode == "down":
        return problem(503, "unavailable", "Service tijdelijk niet beschikbaar (gesimuleerd).")
    await asyncio.sleep(faults.delay)
    return None


def admin_blueprint() -> Blueprint:
    """Return the ``/_admin/faults`` blueprint (register only when faults are allowed)."""
    bp = Blueprint("admin_faults", url_prefix="/_admin")

    @bp.get("/faults")
    async def get_faults(request: Request) -> HTTPResponse:
        return json({"spec": request.app.ctx.faults.spec()})

    @bp.put("/faults")
    async def put_faults(request: Request) -> HTTPResponse:
        try:
            request.app.ctx.faults = Faults.parse(str(json_body(request).get("spec", "")))
        except (ValueError, ApiError) as exc:
            return problem(400, "invalid", str(exc))
        return json({"spec": request.app.ctx.faults.spec()})

    return bp
