"""The signal engine: ``python -m app.signals [--dry-run] [--today YYYY-MM-DD] [--deliver-only]``.

Registers first (``app/registry.py``), so each resident's signals are evaluated with the rules and
the backends of their own municipality (issue 18), then runs :func:`signals.engine.main`.
"""

from __future__ import annotations

from app import registry
from signals import engine


def main(argv: list[str] | None = None) -> int:
    """Register the municipalities' signal rules and backends, then run the engine."""
    registry.register()
    return engine.main(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
