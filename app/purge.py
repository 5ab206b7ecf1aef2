"""The retention job: ``python -m app.purge [--days N] [--log-days N] [--dry-run]`` (``privacy.purge``)."""

from __future__ import annotations

from app import registry
from privacy import purge


def main(argv: list[str] | None = None) -> int:
    """Register the retention hooks, then run the purge."""
    registry.register()
    return purge.main(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
