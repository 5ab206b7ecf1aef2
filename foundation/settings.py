"""Settings of the assistant: one declaration per setting, read from environment variables only.

This is the one place that reads the assistant's environment. Every setting is declared once, as a
field of :class:`Settings` made with :func:`setting`: its name (the field; the environment variable
is the name in upper case unless the declaration names another), its default and a help text.
:func:`describe` lists them (``python -m foundation.settings``).

Profiles (``ASSISTANT_PROFILE``):

* ``local`` (default): the embedded profile of ``make run``: SQLite files under ``var/``, the local
  backend stand-in on port 8001 and public development secrets.
* ``test``: the same defaults as ``local`` (the test suites set what they need per test).
* ``production``: secrets (``secret=True``) have no usable default (empty), so a forgotten variable
  never falls back to a published value; ``python -m actions.production check`` refuses to start
  then (``scripts/run-production.sh``). The other variables are documented in ``docs/production.md``.

Nothing in :mod:`foundation` imports a feature; the backend stand-in (an external system) does not
read these settings either (``backend/settings.py``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from typing import Any

#: Default timeout for calls to municipal backends, in seconds.
DEFAULT_BACKEND_TIMEOUT = 5.0
LOCAL_BACKEND = "http://localhost:8001"
#: Where each API lives under the local stand-in (``backend/``): settings field -> path. The
#: environment variable of a field is its name in upper case (``ZAKEN_API_URL``).
STAND_IN_PATHS: dict[str, str] = {
    "zaken_api_url": "/zaken/api/v1",
    "klantinteracties_api_url": "/klantinteracties/api/v1",
    "brp_api_url": "/haalcentraal/api/brp",
    "reisdocumenten_api_url": "/haalcentraal/api/reisdocumenten",
    "appointments_api_url": "/afspraken/api/v1",
    "waste_api_url": "/afvalkalender/api/v1",
    "addresses_api_url": "/bag/api/v1",
}
PROFILE_VARIABLE = "ASSISTANT_PROFILE"
PROFILES = ("local", "test", "production")


def stand_in_urls(base: str = LOCAL_BACKEND) -> dict[str, str]:
    """The API URL settings when every system is the stand-in at ``base`` (settings field -> URL)."""
    return {name: base.rstrip("/") + path for name, path in STAND_IN_PATHS.items()}


@dataclass(frozen=True)
class Declaration:
    """What :func:`setting` records about one setting (the field's ``metadata["setting"]``)."""

    help: str
    env: str | None = None
    secret: bool = False


def setting(default: Any, help: str, env: str | None = None, secret: bool = False) -> Any:  # noqa: A002
    """Declare one setting: its default, what it is for, its variable (default: the name upper-cased).

    ``secret=True``: a credential; in the ``production`` profile it has no default and
    ``actions.production`` checks it.
    """
    metadata = {"setting": Declaration(help=help, env=env, secret=secret)}
    if isinstance(default, (list, dict, set)):
        raise TypeError("settings are immutable: use a tuple")
    return field(default=default, metadata=metadata)


def _read(raw: str | None, default: Any) -> Any:
    """Parse an environment value like the default's type; empty or unreadable: the default."""
    if raw is None or raw == "":
        return default
    if isinstance(default, bool):
        return raw == "1"
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            return default
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            return default
    if isinstance(default, tuple):  # comma-separated list; empty items are dropped
        items = tuple(item.strip() for item in raw.split(","))
        return tuple(item for item in items if item) or default
    return raw


@dataclass(frozen=True)
class Settings:
    """All settings of the assistant. Build with :meth:`from_env`; ``Settings()`` is the local profile."""

    municipality: str = setting("voorbeeldstad", "Content file of the municipality (content/<name>.yml).")
    content_dir: str = setting("content", "Directory of the municipality content files.")
    employee_municipality: str = setting(
        "", "The municipality whose tickets the employee tool handles (empty: the default municipality)."
    )
    database_url: str = setting("sqlite:///var/assistant.db", "The assistant's database (SQLAlchemy URL).")
    backend_timeout: float = setting(
        DEFAULT_BACKEND_TIMEOUT, "Timeout of calls to municipal backends (s).", env="BACKEND_TIMEOUT_SECONDS"
    )

    zaken_api_url: str = setting(LOCAL_BACKEND + STAND_IN_PATHS["zaken_api_url"], "ZGW Zaken API.")
    zgw_client_id: str = setting("gemeente-assistent", "ZGW client id (JWT issuer).")
    zgw_client_secret: str = setting(
        "local-development-secret-zgw-hs256-32b", "ZGW JWT signing secret.", secret=True
    )
    klantinteracties_api_url: str = setting(
        LOCAL_BACKEND + STAND_IN_PATHS["klantinteracties_api_url"], "Klantinteracties API."
    )
    klantinteracties_token: str = setting("local-development-token", "Klantinteracties token.", secret=True)
    brp_api_url: str = setting(LOCAL_BACKEND + STAND_IN_PATHS["brp_api_url"], "Haal Centraal BRP Personen.")
    reisdocumenten_api_url: str = setting(
        LOCAL_BACKEND + STAND_IN_PATHS["reisdocumenten_api_url"], "Haal Centraal Reisdocumenten."
    )
    brp_api_key: str = setting("local-development-key", "BRP API key.", secret=True)
    appointments_api_url: str = setting(
        LOCAL_BACKEND + STAND_IN_PATHS["appointments_api_url"], "Appointments API."
    )
    appointments_api_key: str = setting("local-development-key", "Appointments API key.", secret=True)
    waste_api_url: str = setting(LOCAL_BACKEND + STAND_IN_PATHS["waste_api_url"], "Waste calendar API.")
    addresses_api_url: str = setting(
        LOCAL_BACKEND + STAND_IN_PATHS["addresses_api_url"], "BAG addresses API."
    )
    addresses_api_key: str = setting("local-development-key", "BAG API key.", secret=True)
    zgw_rsin: str = setting(
        "002220003", "RSIN of the municipality: ZGW bronorganisatie / verantwoordelijkeOrganisatie."
    )
    klantinteracties_actor_uuid: str = setting(
        "6f1e1a52-3c4d-4b8e-9a0f-0c5d2b7e9a11",
        "Klantinteracties actor (e.g. the KCC team) that handoff tasks are assigned to.",
    )

    backend_database_url: str = setting(
        "sqlite:///var/backend.db", "Database of the backend stand-in (read by backend/settings.py too)."
    )
    backend_allow_faults: bool = setting(False, "Test only: allow the stand-in's fault switch (1 = on).")
    backend_faults: str = setting("", "Test only: faults active at stand-in start, e.g. down or slow:2.5.")

    rasa_url: str = setting("http://localhost:5005", "Rasa's HTTP API as the assistant's processes reach it.")
    max_message_chars: int = setting(
        5000, "Longest message text a channel passes on (characters); the rest is cut off."
    )
    webchat_max_packet_bytes: int = setting(
        65536, "Largest socket.io (engine.io) packet the web chat channel accepts, in bytes."
    )
    action_server_token: str = setting(
        "local-development-action-server-token",
        "Shared secret Rasa sends in X-Action-Token to the action server.",
        secret=True,
    )
    action_server_host: str = setting(
        "127.0.0.1", "Address the action server binds to (an internal one; never 0.0.0.0)."
    )
    rasa_token: str = setting("", "Token of Rasa's HTTP API (?token=).")
    rasa_jwt_secret: str = setting("", "HS256 secret of JWTs for Rasa's HTTP API.", secret=True)
    portal_token_secret: str = setting(
        "local-development-portal-secret", "Secret of the portal's identity tokens.", secret=True
    )
    portal_token_max_lifetime_seconds: int = setting(
        15 * 60, "Longest accepted lifetime (exp - iat) of a portal token, in seconds."
    )
    portal_token_require_conversation: bool = setting(
        False, "Refuse portal tokens without a cid claim naming the conversation (production: 1)."
    )

    whatsapp_verify_token: str = setting("local-verify-token", "WhatsApp webhook verify token.", secret=True)
    whatsapp_app_secret: str = setting(
        "local-app-secret", "Meta app secret (webhook signatures).", secret=True
    )
    whatsapp_access_token: str = setting("local-access-token", "WhatsApp Cloud API token.", secret=True)
    whatsapp_phone_number_id: str = setting("000000000000000", "WhatsApp phone number id.")
    whatsapp_graph_url: str = setting("https://graph.facebook.com/v19.0", "Meta Graph API base URL.")
    whatsapp_reply_template: str = setting(
        "",
        "Approved template (one body parameter: the ticket number) for an employee's answer outside "
        "the 24-hour window; empty: 'hier in de chat' is not offered on WhatsApp.",
    )

    webchat_port: int = setting(8000, "Port of the web chat page server.")
    rasa_public_url: str = setting("http://localhost:5005", "The Rasa URL as the resident's browser sees it.")
    webchat_allowed_origins: tuple[str, ...] = setting(
        ("http://localhost:8000",),
        "Origins (scheme://host[:port], comma-separated) that may embed the widget and open socket.io.",
    )
    webchat_session_key: str = setting(
        "local-development-webchat-session-key",
        "Key of the web chat's conversation secrets (HMAC of the server-issued conversation id).",
        secret=True,
    )
    webchat_public_url: str = setting(
        "http://localhost:8000", "The web chat server as residents reach it ('mijn gegevens' download links)."
    )
    my_data_link_minutes: int = setting(15, "Minutes a 'mijn gegevens' download link works (once).")
    socketio_redis_url: str = setting(
        "",
        "Redis URL of python-socketio's AsyncRedisManager, so an answer emitted by any Rasa instance "
        "reaches the resident's socket on another; empty: one process, no shared manager.",
    )
    socketio_redis_channel: str = setting(
        "gemeente-socketio", "socket.io Redis channel: the same for all instances of one deployment."
    )

    retention_days: int = setting(
        28,
        "Days conversations and linked data are kept (national default; a municipality's content may "
        "set its own: retention.conversation_days).",
    )
    pseudonym_key: str = setting(
        "local-development-pseudonym-key",
        "HMAC key of resident pseudonyms (processing log, signals).",
        secret=True,
    )
    tracker_db_url: str = setting("sqlite:///var/tracker.db", "Rasa's tracker database (SQLAlchemy URL).")
    processing_log_retention_days: int = setting(
        365,
        "Days the processing log is kept (national default; content: retention.processing_log_days).",
    )

    verify_max_failures_per_reference: int = setting(
        5, "Failed contact-detail checks allowed per appointment/zaak reference in the window."
    )
    verify_max_failures_per_conversation: int = setting(
        5, "Failed contact-detail checks allowed per conversation in the window."
    )
    verify_window_minutes: int = setting(24 * 60, "The window of the two limits above, in minutes.")
    verified_ttl_minutes: int = setting(
        30, "How long a successful check lets the conversation change that one reference, in minutes."
    )
    #: The profile these settings were read for (``local``, ``test`` or ``production``).
    profile: str = "local"
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (default: the process environment)."""
        env = os.environ if environ is None else environ
        profile = env.get(PROFILE_VARIABLE) or "local"
        if profile not in PROFILES:
            raise ValueError(f"{PROFILE_VARIABLE} must be one of {', '.join(PROFILES)}, not {profile!r}")
        values = {
            name: _read(env.get(declaration.env or name.upper()), profile_default(name, profile))
            for name, declaration in declarations().items()
        }
        return cls(profile=profile, **values)


def declarations() -> dict[str, Declaration]:
    """Every declared setting: field name -> declaration, in declaration order."""
    return {f.name: f.metadata["setting"] for f in fields(Settings) if "setting" in f.metadata}


def variable(name: str) -> str:
    """The environment variable of the setting ``name``."""
    return declarations()[name].env or name.upper()


def secrets() -> dict[str, str]:
    """The secret settings: field name -> environment variable."""
    return {name: variable(name) for name, decl in declarations().items() if decl.secret}


def municipal_secrets(municipality: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A municipality's own credentials (issue 18): ``<MUNICIPALITY>_<VARIABLE>`` of each secret.

    E.g. ``PROEFDORP_ZGW_CLIENT_SECRET`` for Proefdorp's own ZGW client secret. Returns field name ->
    value for the variables that are set.
    """
    env = os.environ if environ is None else environ
    prefix = municipality.upper().replace("-", "_") + "_"
    found = {name: env.get(prefix + var) for name, var in secrets().items()}
    return {name: value for name, value in found.items() if value}


def profile_default(name: str, profile: str = "local") -> Any:
    """The default of setting ``name`` in ``profile`` (production: secrets have none)."""
    declaration = declarations()[name]
    if profile == "production" and declaration.secret:
        return ""
    default = {f.name: f.default for f in fields(Settings)}[name]
    return None if default is MISSING else default


def describe(profile: str = "local") -> list[tuple[str, str, str]]:
    """(variable, default, help) of every setting; secrets' defaults are not shown."""
    rows = []
    for name, declaration in declarations().items():
        default = "<secret>" if declaration.secret else repr(profile_default(name, profile))
        rows.append((variable(name), default, declaration.help))
    return rows


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once; tests call ``get_settings.cache_clear()``)."""
    return Settings.from_env()


if __name__ == "__main__":  # python -m foundation.settings: the list of variables
    for name, default, text in describe(os.environ.get(PROFILE_VARIABLE) or "local"):
        print(f"{name:40} {default:45} {text}")
