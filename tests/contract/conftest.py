"""The stand-in as a real process for the contract tests (see ``tests/backend/conftest.py``)."""

from tests.backend.conftest import backend_faults, backend_server  # noqa: F401
