"""The municipality's own backends (issue 18); the conversation's municipality itself is
:mod:`foundation.municipality` (re-exported here for the actions).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from actions.content import get_content
from foundation.municipality import (  # noqa: F401 - the actions' one import for the municipality
    DEPLOYMENT_FILE,
    METADATA_KEY,
    SLOT,
    Deployment,
    DeploymentError,
    clear_deployment_cache,
    current,
    get_deployment,
    load_deployment,
    of_slots,
    of_tracker,
    parse_deployment,
    requested,
    resolve,
    set_current,
    use,
)
from foundation.settings import Settings, get_settings, municipal_secrets

# ---------------------------------------------------------------------------- backends
#: Settings a municipality's content may set in its ``backends`` section (no secrets in content).
BACKEND_FIELDS = (
    "zaken_api_url",
    "zgw_client_id",
    "klantinteracties_api_url",
    "brp_api_url",
    "reisdocumenten_api_url",
    "appointments_api_url",
    "waste_api_url",
    "addresses_api_url",
    "zgw_rsin",
    "klantinteracties_actor_uuid",
)
#: Credentials, read from ``<MUNICIPALITY>_<FIELD>`` environment variables (``PROEFDORP_ZGW_CLIENT_SECRET``).
SECRET_FIELDS = (
    "zgw_client_secret",
    "klantinteracties_token",
    "brp_api_key",
    "appointments_api_key",
    "addresses_api_key",
)


#: The ``retention`` section of a municipality's content -> the setting it overrides (issue 18; the
#: setting, or the national base's ``retention``, is the national default).
RETENTION_FIELDS = {
    "conversation_days": "retention_days",
    "processing_log_days": "processing_log_retention_days",
}


def retention_overrides(data: Any) -> dict[str, int]:
    """The retention settings a municipality's (merged) content sets: setting name -> days."""
    retention = (data.get("retention") if isinstance(data, dict) else None) or {}
    return {setting: int(retention[key]) for key, setting in RETENTION_FIELDS.items() if retention.get(key)}


def settings_for(name: str | None = None) -> Settings:
    """The settings with the backends of municipality ``name`` (default: the current one).

    A municipality's content may name its own endpoints and identifiers (``backends``: e.g. its own
    ZGW Zaken URL and RSIN); its credentials come from ``<NAME>_<VARIABLE>`` environment variables
    (:func:`foundation.settings.municipal_secrets`). What it does not set is the deployment's shared
    backend (the ``*_API_URL`` settings). Its ``retention`` section sets its retention periods
    (:data:`RETENTION_FIELDS`). ``app/registry.py`` installs this as the resolver of
    :func:`foundation.municipality.settings`, which the integrations' ``from_settings`` use.
    """
    settings = get_settings()
    name = name or current()
    overrides: dict[str, Any] = {}
    try:
        data = get_content(name).data
    except Exception:  # content problems are reported by the content loader itself
        data = {}
    backends = data.get("backends") or {}
    for key in BACKEND_FIELDS:
        if backends.get(key):
            overrides[key] = str(backends[key])
    overrides.update(retention_overrides(data))
    overrides.update({k: v for k, v in municipal_secrets(name).items() if k in SECRET_FIELDS})
    return dataclasses.replace(settings, **overrides) if overrides else settings


# ---------------------------------------------------------------------------- signal rules
def signal_overrides(name: str) -> dict[str, Any]:
    """The ``signals`` section of municipality ``name``'s content: what it changes of the national
    signal rules (``signals/rules.py``; ``app/registry.py`` installs this as the provider)."""
    return dict(get_content(name).data.get("signals") or {})
