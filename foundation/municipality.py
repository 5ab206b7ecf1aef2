"""Which municipality a conversation belongs to: one deployment serves several (issue 18).

The deployment file ``<CONTENT_DIR>/municipalities.yml`` lists the municipalities this deployment
serves and which channel brings a resident to which one (the WhatsApp business numbers). The
``MUNICIPALITY`` setting is the default: a conversation without a municipality gets it, and it is
always served, also when the file does not list it.

The channel decides, never the resident:

* web chat: the widget's ``data-municipality`` attribute, sent as message metadata;
* WhatsApp: the number that received the message (``phone_number_id``), mapped here;
* REST: ``"metadata": {"municipality": ...}`` on a conversation's first message.

``action_session_start`` (:mod:`actions.conversation`) reads it from Rasa's ``session_started_metadata``
and stores it in the slot ``municipality`` (mapping ``custom``: no entity or typed
``/intent{...}`` fills it). A slot already set is kept, so a later session of the same
conversation cannot switch either. The action server (:mod:`app.action_server`) makes the slot the
*current* municipality for the duration of each action call (:func:`current`, :func:`use`, a context
variable); ``get_content()`` without a name returns the current municipality's content, the
integrations build their clients from :func:`settings` (the municipality's own backends, through the
resolver ``app/registry.py`` installs: ``actions.municipality.settings_for``), and the outbox runs an
entry in the municipality it was enqueued in.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from foundation.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SLOT = "municipality"
METADATA_KEY = "municipality"
DEPLOYMENT_FILE = "municipalities.yml"
_NAME_RE = re.compile(r"^[a-z0-9_-]{1,40}$")


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

    def numbers_of(self, name: str) -> tuple[str, ...]:
        """The WhatsApp business numbers of municipality ``name``, in file order."""
        return tuple(number for number, owner in self.whatsapp_numbers.items() if owner == name)


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
    directory = Path(content_dir)
    path = (directory if directory.is_absolute() else PROJECT_ROOT / directory) / DEPLOYMENT_FILE
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



# ---------------------------------------------------------------------------- the current one
_current: ContextVar[str | None] = ContextVar("municipality", default=None)
_resolver: list[Callable[[str], Settings]] = []


def current() -> str:
    """The municipality of the conversation being handled now, else the default (``MUNICIPALITY``)."""
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


def set_settings_resolver(resolver: Callable[[str], Settings] | None) -> None:
    """Install how a municipality's settings are found (``app/registry.py``; ``None``: remove)."""
    _resolver.clear()
    if resolver is not None:
        _resolver.append(resolver)


def settings() -> Settings:
    """The settings of the current municipality (its own backends), else the process settings."""
    return _resolver[0](current()) if _resolver else get_settings()
