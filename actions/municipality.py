"""Which municipality a conversation belongs to: one deployment serves several (issue 18).

The deployment file ``<CONTENT_DIR>/municipalities.yml`` lists the municipalities this deployment
serves and which channel brings a resident to which one (the WhatsApp business numbers). The
``MUNICIPALITY`` setting is the default: a conversation without a municipality gets it, and it is
always served, also when the file does not list it.

The channel decides, never the resident:

* web chat: the widget's ``data-municipality`` attribute, sent as message metadata;
* WhatsApp: the number that received the message (``phone_number_id``), mapped here;
* REST: ``"metadata": {"municipality": ...}`` on a conversation's first message.

``action_session_start`` (:mod:`actions.core`) reads it from Rasa's ``session_started_metadata``
and stores it in the slot ``municipality`` (mapping ``custom``: no entity or typed
``/intent{...}`` fills it). A slot already set is kept, so a later session of the same
conversation cannot switch either. The action server (:mod:`actions.server`) makes the slot the
*current* municipality for the duration of each action call (:func:`use`); ``get_content()``
without a name returns the current municipality's content.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.config import get_settings

SLOT = "municipality"
METADATA_KEY = "municipality"
DEPLOYMENT_FILE = "municipalities.yml"
_NAME_RE = re.compile(r"^[a-z0-9_-]{1,40}$")

_current: ContextVar[str | None] = ContextVar("municipality", default=None)


class DeploymentError(Exception):
    """The deployment file is unreadable or inconsistent."""


@dataclass(frozen=True)
class Deployment:
    """The municipalities one deployment serves and the channel mapping."""

    default: str
    names: tuple[str, ...]
    #: WhatsApp ``phone_number_id`` -> municipality.
    whatsapp_numbers: Mapping[str, str] = field(default_factory=dict)

    def knows(self, name: Any) -> bool:
        """Whether ``name`` is a municipality of this deployment."""
        return isinstance(name, str) and name in self.names

    def for_whatsapp_number(self, phone_number_id: Any) -> str | None:
        """The municipality of a WhatsApp business number, or ``None`` when it is not mapped."""
        return self.whatsapp_numbers.get(str(phone_number_id)) if phone_number_id else None


def parse_deployment(data: Any, default: str, source: str = DEPLOYMENT_FILE) -> Deployment:
    """Build a :class:`Deployment` from the parsed deployment file (``None``: only the default).

    Raises:
        DeploymentError: On a bad name, a bad mapping or a number mapped twice.
    """
    data = data or {}
    entries = data.get("municipalities") or {}
    if not isinstance(data, dict) or not isinstance(entries, dict):
        raise DeploymentError(f"{source}: 'municipalities' must be a mapping of name -> channels")
    names: list[str] = []
    numbers: dict[str, str] = {}
    for name, channels in entries.items():
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise DeploymentError(f"{source}: invalid municipality name {name!r} (a-z, 0-9, - and _)")
        names.append(name)
        channels = channels or {}
        if not isinstance(channels, dict):
            raise DeploymentError(f"{source}: municipalities.{name} must be a mapping")
        for number in channels.get("whatsapp_phone_number_ids") or []:
            number = str(number)
            if number in numbers:
                raise DeploymentError(
                    f"{source}: WhatsApp number {number} is mapped to {numbers[number]} and {name}"
                )
            numbers[number] = name
    if default not in names:
        names.insert(0, default)
    return Deployment(default=default, names=tuple(names), whatsapp_numbers=numbers)


def load_deployment(content_dir: str | Path, default: str) -> Deployment:
    """Read ``municipalities.yml`` from ``content_dir`` (missing file: the default alone)."""
    from actions.content import resolve_dir

    path = resolve_dir(content_dir) / DEPLOYMENT_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except yaml.YAMLError as exc:
        raise DeploymentError(f"{path} is not valid YAML: {exc}") from exc
    return parse_deployment(data, default, str(path))


@lru_cache(maxsize=8)
def _cached_deployment(content_dir: str, default: str) -> Deployment:
    return load_deployment(content_dir, default)


def get_deployment() -> Deployment:
    """The deployment of the current settings (``CONTENT_DIR``, ``MUNICIPALITY``), cached."""
    settings = get_settings()
    return _cached_deployment(settings.content_dir, settings.municipality)


def clear_deployment_cache() -> None:
    """Forget the loaded deployment file (tests)."""
    _cached_deployment.cache_clear()


# ---------------------------------------------------------------------------- the conversation's
def requested(metadata: Any) -> str | None:
    """The municipality a channel put into a message's metadata (not yet checked), or ``None``."""
    if not isinstance(metadata, dict):
        return None
    value = metadata.get(METADATA_KEY)
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def resolve(name: str | None) -> tuple[str, bool]:
    """The municipality for a requested name: ``(municipality, refused)``.

    No name: the default, not refused. A name this deployment does not serve: the default, refused
    (the resident is told, see ``utter_municipality_unknown``).
    """
    deployment = get_deployment()
    if name is None:
        return deployment.default, False
    if deployment.knows(name):
        return name, False
    return deployment.default, True


def of_slots(slots: Mapping[str, Any] | None) -> str:
    """The municipality stored in a conversation's slots, else the default."""
    value = (slots or {}).get(SLOT)
    deployment = get_deployment()
    return value if deployment.knows(value) else deployment.default


def of_tracker(tracker: Any) -> str:
    """The municipality of a rasa-sdk tracker (its ``municipality`` slot), else the default."""
    return of_slots(getattr(tracker, "slots", None))


def current() -> str:
    """The municipality of the conversation being handled now, else the default."""
    return _current.get() or get_settings().municipality


@contextlib.contextmanager
def use(name: str | None) -> Iterator[str]:
    """Make ``name`` (default: the default municipality) current inside the block."""
    token = _current.set(name or get_settings().municipality)
    try:
        yield current()
    finally:
        _current.reset(token)


def set_current(name: str | None) -> None:
    """Make ``name`` current for the rest of this task (the action server, per request)."""
    _current.set(name)


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


def settings_for(name: str | None = None) -> Any:
    """The settings with the backends of municipality ``name`` (default: the current one).

    A municipality's content may name its own endpoints and identifiers (``backends``: e.g. its own
    ZGW Zaken URL and RSIN); its credentials come from ``<NAME>_<FIELD>`` environment variables.
    What it does not set is the deployment's shared backend (the ``*_API_URL`` settings).
    """
    import dataclasses
    import os

    from actions.content import get_content

    settings = get_settings()
    name = name or current()
    overrides: dict[str, Any] = {}
    try:
        backends = get_content(name).data.get("backends") or {}
    except Exception:  # content problems are reported by the content loader itself
        backends = {}
    for key in BACKEND_FIELDS:
        if backends.get(key):
            overrides[key] = str(backends[key])
    for key in SECRET_FIELDS:
        value = os.environ.get(f"{name.upper().replace('-', '_')}_{key.upper()}")
        if value:
            overrides[key] = value
    return dataclasses.replace(settings, **overrides) if overrides else settings
