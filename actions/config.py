"""Settings of the assistant, read from environment variables only.

This is the one place that reads the environment. Every package (actions, clients, backend,
channels, privacy, signals) calls :func:`get_settings`. Defaults are the embedded local profile
of ``make run``: SQLite files under ``var/`` and the local backend stand-in on port 8001.
Production sets the variables documented in ``docs/production.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

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


def stand_in_urls(base: str = LOCAL_BACKEND) -> dict[str, str]:
    """The API URL settings when every system is the stand-in at ``base`` (settings field -> URL)."""
    return {name: base.rstrip("/") + path for name, path in STAND_IN_PATHS.items()}


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _env_int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


def _env_float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Read a comma-separated list; empty items are dropped."""
    items = tuple(item.strip() for item in _env(name, ",".join(default)).split(","))
    return tuple(item for item in items if item) or default


@dataclass(frozen=True)
class Settings:
    """All settings of the assistant. Build with :meth:`from_env`."""

    municipality: str = "voorbeeldstad"
    content_dir: str = "content"
    database_url: str = "sqlite:///var/assistant.db"
    backend_timeout: float = DEFAULT_BACKEND_TIMEOUT

    zaken_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["zaken_api_url"]
    zgw_client_id: str = "gemeente-assistent"
    zgw_client_secret: str = "local-development-secret-zgw-hs256-32b"
    klantinteracties_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["klantinteracties_api_url"]
    klantinteracties_token: str = "local-development-token"
    brp_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["brp_api_url"]
    reisdocumenten_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["reisdocumenten_api_url"]
    brp_api_key: str = "local-development-key"
    appointments_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["appointments_api_url"]
    appointments_api_key: str = "local-development-key"
    waste_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["waste_api_url"]
    addresses_api_url: str = LOCAL_BACKEND + STAND_IN_PATHS["addresses_api_url"]
    addresses_api_key: str = "local-development-key"
    #: RSIN of the municipality: ZGW bronorganisatie / verantwoordelijkeOrganisatie (fictional default).
    zgw_rsin: str = "002220003"
    #: Klantinteracties actor (e.g. the KCC team) that handoff tasks are assigned to (stand-in seed).
    klantinteracties_actor_uuid: str = "6f1e1a52-3c4d-4b8e-9a0f-0c5d2b7e9a11"

    backend_database_url: str = "sqlite:///var/backend.db"
    #: Test only: allow the stand-in's fault switch (``/_admin/faults``).
    backend_allow_faults: bool = False
    #: Test only: faults active at stand-in start, e.g. ``down`` or ``slow:2.5`` (see backend/faults.py).
    backend_faults: str = ""

    rasa_url: str = "http://localhost:5005"
    #: Longest message text a channel passes on (characters); the rest is cut off before storage.
    max_message_chars: int = 5000
    #: Largest socket.io (engine.io) packet the web chat channel accepts, in bytes.
    webchat_max_packet_bytes: int = 65536
    #: Shared secret Rasa sends in ``X-Action-Token`` to the action server (actions/server.py).
    action_server_token: str = "local-development-action-server-token"
    #: Address the action server binds to (an internal one; never 0.0.0.0 by default).
    action_server_host: str = "127.0.0.1"
    rasa_token: str = ""
    rasa_jwt_secret: str = ""
    portal_token_secret: str = "local-development-portal-secret"
    #: Longest accepted lifetime (``exp`` - ``iat``) of a portal token, in seconds.
    portal_token_max_lifetime_seconds: int = 15 * 60
    #: Refuse portal tokens without a ``cid`` claim naming the conversation (production: on).
    portal_token_require_conversation: bool = False

    whatsapp_verify_token: str = "local-verify-token"
    whatsapp_app_secret: str = "local-app-secret"
    whatsapp_access_token: str = "local-access-token"
    whatsapp_phone_number_id: str = "000000000000000"
    whatsapp_graph_url: str = "https://graph.facebook.com/v19.0"
    # approved template that tells a resident an employee answered (outside the 24-hour window);
    # empty: "hier in de chat" is not offered on WhatsApp (actions/reachability.py)
    whatsapp_reply_template: str = ""

    # Web chat (webchat/): port of the page server, the Rasa URL as the browser sees it, and the
    # origins (scheme://host[:port]) that may embed the widget and open the socket.io channel.
    webchat_port: int = 8000
    rasa_public_url: str = "http://localhost:5005"
    webchat_allowed_origins: tuple[str, ...] = ("http://localhost:8000",)
    #: Key of the web chat's conversation secrets (HMAC of the server-issued conversation id).
    webchat_session_key: str = "local-development-webchat-session-key"
    #: The web chat server as residents reach it; "mijn gegevens" download links point here.
    webchat_public_url: str = "http://localhost:8000"
    #: Minutes a "mijn gegevens" download link works (once) (privacy/my_data.py).
    my_data_link_minutes: int = 15
    # socket.io across Rasa instances (webchat/channel.py): Redis URL of python-socketio's
    # AsyncRedisManager (e.g. redis://:password@redis:6379/2), so an answer emitted by any instance
    # reaches the resident's socket on another; empty: one process, no shared manager. The channel
    # name must be the same for all instances of one deployment and differ between deployments.
    socketio_redis_url: str = ""
    socketio_redis_channel: str = "gemeente-socketio"

    retention_days: int = 28
    pseudonym_key: str = "local-development-pseudonym-key"
    tracker_db_url: str = "sqlite:///var/tracker.db"
    processing_log_retention_days: int = 365

    # Record ownership (actions/verification.py).
    #: Failed contact-detail checks allowed per appointment/zaak reference (all conversations) in the window.
    verify_max_failures_per_reference: int = 5
    #: Failed contact-detail checks allowed per conversation (all references) in the window.
    verify_max_failures_per_conversation: int = 5
    #: The window of the two limits above, in minutes.
    verify_window_minutes: int = 24 * 60
    #: How long a successful check lets the conversation change that one reference, in minutes.
    verified_ttl_minutes: int = 30
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the process environment."""
        d = cls()
        return cls(
            municipality=_env("MUNICIPALITY", d.municipality),
            content_dir=_env("CONTENT_DIR", d.content_dir),
            database_url=_env("DATABASE_URL", d.database_url),
            backend_timeout=_env_float("BACKEND_TIMEOUT_SECONDS", d.backend_timeout),
            zaken_api_url=_env("ZAKEN_API_URL", d.zaken_api_url),
            zgw_client_id=_env("ZGW_CLIENT_ID", d.zgw_client_id),
            zgw_client_secret=_env("ZGW_CLIENT_SECRET", d.zgw_client_secret),
            klantinteracties_api_url=_env("KLANTINTERACTIES_API_URL", d.klantinteracties_api_url),
            klantinteracties_token=_env("KLANTINTERACTIES_TOKEN", d.klantinteracties_token),
            brp_api_url=_env("BRP_API_URL", d.brp_api_url),
            reisdocumenten_api_url=_env("REISDOCUMENTEN_API_URL", d.reisdocumenten_api_url),
            brp_api_key=_env("BRP_API_KEY", d.brp_api_key),
            appointments_api_url=_env("APPOINTMENTS_API_URL", d.appointments_api_url),
            appointments_api_key=_env("APPOINTMENTS_API_KEY", d.appointments_api_key),
            waste_api_url=_env("WASTE_API_URL", d.waste_api_url),
            addresses_api_url=_env("ADDRESSES_API_URL", d.addresses_api_url),
            addresses_api_key=_env("ADDRESSES_API_KEY", d.addresses_api_key),
            zgw_rsin=_env("ZGW_RSIN", d.zgw_rsin),
            klantinteracties_actor_uuid=_env("KLANTINTERACTIES_ACTOR_UUID", d.klantinteracties_actor_uuid),
            backend_database_url=_env("BACKEND_DATABASE_URL", d.backend_database_url),
            backend_allow_faults=_env("BACKEND_ALLOW_FAULTS", "0") == "1",
            backend_faults=_env("BACKEND_FAULTS", d.backend_faults),
            rasa_url=_env("RASA_URL", d.rasa_url),
            max_message_chars=_env_int("MAX_MESSAGE_CHARS", d.max_message_chars),
            webchat_max_packet_bytes=_env_int("WEBCHAT_MAX_PACKET_BYTES", d.webchat_max_packet_bytes),
            action_server_token=_env("ACTION_SERVER_TOKEN", d.action_server_token),
            action_server_host=_env("ACTION_SERVER_HOST", d.action_server_host),
            rasa_token=_env("RASA_TOKEN", d.rasa_token),
            rasa_jwt_secret=_env("RASA_JWT_SECRET", d.rasa_jwt_secret),
            portal_token_secret=_env("PORTAL_TOKEN_SECRET", d.portal_token_secret),
            portal_token_max_lifetime_seconds=_env_int(
                "PORTAL_TOKEN_MAX_LIFETIME_SECONDS", d.portal_token_max_lifetime_seconds
            ),
            portal_token_require_conversation=_env("PORTAL_TOKEN_REQUIRE_CONVERSATION", "0") == "1",
            whatsapp_verify_token=_env("WHATSAPP_VERIFY_TOKEN", d.whatsapp_verify_token),
            whatsapp_app_secret=_env("WHATSAPP_APP_SECRET", d.whatsapp_app_secret),
            whatsapp_access_token=_env("WHATSAPP_ACCESS_TOKEN", d.whatsapp_access_token),
            whatsapp_phone_number_id=_env("WHATSAPP_PHONE_NUMBER_ID", d.whatsapp_phone_number_id),
            whatsapp_graph_url=_env("WHATSAPP_GRAPH_URL", d.whatsapp_graph_url),
            whatsapp_reply_template=_env("WHATSAPP_REPLY_TEMPLATE", d.whatsapp_reply_template),
            webchat_port=_env_int("WEBCHAT_PORT", d.webchat_port),
            rasa_public_url=_env("RASA_PUBLIC_URL", d.rasa_public_url),
            webchat_allowed_origins=_env_list("WEBCHAT_ALLOWED_ORIGINS", d.webchat_allowed_origins),
            webchat_session_key=_env("WEBCHAT_SESSION_KEY", d.webchat_session_key),
            webchat_public_url=_env("WEBCHAT_PUBLIC_URL", d.webchat_public_url),
            my_data_link_minutes=_env_int("MY_DATA_LINK_MINUTES", d.my_data_link_minutes),
            socketio_redis_url=_env("SOCKETIO_REDIS_URL", d.socketio_redis_url),
            socketio_redis_channel=_env("SOCKETIO_REDIS_CHANNEL", d.socketio_redis_channel),
            retention_days=_env_int("RETENTION_DAYS", d.retention_days),
            pseudonym_key=_env("PSEUDONYM_KEY", d.pseudonym_key),
            tracker_db_url=_env("TRACKER_DB_URL", d.tracker_db_url),
            processing_log_retention_days=_env_int(
                "PROCESSING_LOG_RETENTION_DAYS", d.processing_log_retention_days
            ),
            verify_max_failures_per_reference=_env_int(
                "VERIFY_MAX_FAILURES_PER_REFERENCE", d.verify_max_failures_per_reference
            ),
            verify_max_failures_per_conversation=_env_int(
                "VERIFY_MAX_FAILURES_PER_CONVERSATION", d.verify_max_failures_per_conversation
            ),
            verify_window_minutes=_env_int("VERIFY_WINDOW_MINUTES", d.verify_window_minutes),
            verified_ttl_minutes=_env_int("VERIFIED_TTL_MINUTES", d.verified_ttl_minutes),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once; tests call ``get_settings.cache_clear()``)."""
    return Settings.from_env()
