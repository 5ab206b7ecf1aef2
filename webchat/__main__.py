"""Entry point: ``python -m webchat [--host HOST] [--port PORT]``."""

from __future__ import annotations

from webchat.server import main

if __name__ == "__main__":
    main()
