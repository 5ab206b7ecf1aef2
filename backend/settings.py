"""Settings of the backend stand-in, read from its own environment variables.

The stand-in plays the municipality's systems, which are configured apart from the assistant: it
does not read the assistant's settings (``foundation.settings``). The variable names and local
defaults are those the assistant's local profile expects of the municipality's systems, so
``make run`` works without setting anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class BackendSettings:
    """What the stand-in needs: its database, the credentials it accepts, its seed and test faults."""

    backend_database_url: str = "sqlite:///var/backend.db"
    #: Test only: allow the fault switch (``/_admin/faults``).
    backend_allow_faults: bool = False
    #: Test only: faults active at start, e.g. ``down`` or ``slow:2.5`` (see backend/faults.py).
    backend_faults: str = ""
    zgw_client_id: str = "gemeente-assistent"
    zgw_client_secret: str = "local-development-secret-zgw-hs256-32b"
    klantinteracties_token: str = "local-development-token"
    brp_api_key: str = "local-development-key"
    appointments_api_key: str = "local-development-key"
    addresses_api_key: str = "local-development-key"
    #: RSIN of the municipality (bronorganisatie of the seeded zaken).
    zgw_rsin: str = "002220003"
    #: The Klantinteracties actor (KCC team) the seed creates.
    klantinteracties_actor_uuid: str = "6f1e1a52-3c4d-4b8e-9a0f-0c5d2b7e9a11"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BackendSettings:
        """Read the variables (``BACKEND_DATABASE_URL``, ``ZGW_CLIENT_SECRET``, ...); empty: default."""
        env = os.environ if environ is None else environ
        d = cls()

        def read(name: str, default: str) -> str:
            return env.get(name.upper()) or default

        return cls(
            backend_database_url=read("backend_database_url", d.backend_database_url),
            backend_allow_faults=read("backend_allow_faults", "0") == "1",
            backend_faults=read("backend_faults", d.backend_faults),
            zgw_client_id=read("zgw_client_id", d.zgw_client_id),
            zgw_client_secret=read("zgw_client_secret", d.zgw_client_secret),
            klantinteracties_token=read("klantinteracties_token", d.klantinteracties_token),
            brp_api_key=read("brp_api_key", d.brp_api_key),
            appointments_api_key=read("appointments_api_key", d.appointments_api_key),
            addresses_api_key=read("addresses_api_key", d.addresses_api_key),
            zgw_rsin=read("zgw_rsin", d.zgw_rsin),
            klantinteracties_actor_uuid=read("klantinteracties_actor_uuid", d.klantinteracties_actor_uuid),
        )
