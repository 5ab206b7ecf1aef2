"""Run the stand-in: ``python -m backend [--host 127.0.0.1] [--port 8001] [--database-url URL]``.

SQLite at ``var/backend.db`` by default; ``BACKEND_DATABASE_URL`` (e.g. PostgreSQL) overrides it,
``--database-url`` overrides both.
"""

from __future__ import annotations

import argparse
import logging

from backend.app import create_app
from backend.settings import BackendSettings


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve the app until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m backend", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = BackendSettings.from_env()
    app = create_app(args.database_url or settings.backend_database_url, settings)
    app.config.MOTD = False
    app.run(host=args.host, port=args.port, workers=1, access_log=False, debug=False)


if __name__ == "__main__":
    main()
