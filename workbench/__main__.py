"""Start the Trainerswerkplaats: ``python -m workbench [--host 127.0.0.1] [--port 8002]``."""

from __future__ import annotations

import argparse
import os
import sys

from workbench.app import create_app
from workbench.config import ConfigurationError, WorkbenchSettings

DEFAULT_PORT = 8002


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, check the settings and serve the app."""
    parser = argparse.ArgumentParser(description="Serve the trainers' workbench (Trainerswerkplaats).")
    parser.add_argument(
        "--host",
        default=os.environ.get("WORKBENCH_HOST", "127.0.0.1"),
        help="interface to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("WORKBENCH_PORT", DEFAULT_PORT)))
    args = parser.parse_args(argv)
    try:
        settings = WorkbenchSettings.from_env()
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    app = create_app(settings)
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
