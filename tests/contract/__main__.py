"""Print the contract violations of the stand-in and the clients: ``python -m tests.contract [-v]``.

Starts the stand-in on a free loopback port with a fresh SQLite file, runs the recorded client flows
and probes (:mod:`tests.contract.exchanges`) and prints the count per standard and direction; ``-v``
also lists every violation. Exit status 1 when there is any violation.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.backend.conftest import running_backend
from tests.contract.exchanges import counts, record_everything, violations


def main(argv: list[str]) -> int:
    """Run the check and print the table (and with ``-v`` every violation)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_backend(f"sqlite:///{tmp}/backend.db", Path(tmp)) as server,
    ):
        exchanges = asyncio.run(record_everything(server.settings))
    found = violations(exchanges)
    print(f"{len(exchanges)} exchanges checked")
    print(f"{'standard':32} {'direction':10} violations")
    for (standard, direction), number in counts(found).items():
        print(f"{standard:32} {direction:10} {number}")
    if "-v" in argv:
        for violation in found:
            print(violation)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
