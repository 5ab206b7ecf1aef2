"""Municipality content: loading, validation and the API the actions use.

One YAML file per municipality, ``<CONTENT_DIR>/<MUNICIPALITY>.yml``, validated against
``content/schema.json`` (JSON Schema 2020-12) plus a few checks a schema cannot express (opening
intervals in order, referenced contacts exist, valid dates and time zone). Resident-facing Dutch text
lives in the content file or in domain responses; this module only passes values around.

Nothing is read at import time: :func:`get_content` loads and caches per municipality name.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from jsonschema import Draft202012Validator

from foundation.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA_PATH = PROJECT_ROOT / "content" / "schema.json"
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Language in which holidays.NL names the public holidays (matches ``open_on_holidays``).
HOLIDAY_LANGUAGE = "nl"
#: How far ahead :meth:`Content.opening_status` looks for the next opening.
LOOKAHEAD_DAYS = 14
_NAME_RE = re.compile(r"^[a-z0-9_-]+$")


class ContentError(Exception):
    """The content file is missing, unreadable or does not match the schema."""


def format_time(value: time) -> str:
    """Format a clock time the Dutch way, e.g. ``8.30`` or ``17.00`` (digits only, no words)."""
    return f"{value.hour}.{value.minute:02d}"


def _parse_time(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class Interval:
    """One opening interval of a day (``open`` inclusive, ``close`` exclusive)."""

    open: time
    close: time


WeeklyHours = tuple[tuple[Interval, ...], ...]


@dataclass(frozen=True)
class Product:
    """One municipal product or topic, answering one Rasa intent."""

    key: str
    intent: str
    upl_name: str | None
    title: str
    button_title: str
    explanation: str
    costs: str
    processing_time: str
    bring: tuple[str, ...]
    appointment_needed: bool
    link: str
    next_step: str
    synonyms: tuple[str, ...] = ()
    social: bool = False
    contact: str | None = None
    other_body: Mapping[str, str] | None = None
    #: With ``appointment_needed``: the chat's appointment form can book it (else: website/phone).
    appointment_in_chat: bool = True
    #: Kind of proactive signal offered after the answer (``aow``, ``travel_document``, ``study``).
    signal_offer: str | None = None
    #: Deeper answers for the same question asked again, in order.
    more: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, key: str, data: Mapping[str, Any]) -> Product:
        """Build a product from its (validated) content entry."""
        return cls(
            key=key,
            intent=data["intent"],
            upl_name=data.get("upl_name"),
            title=data["title"],
            button_title=data["button_title"],
            explanation=data["explanation"],
            costs=data["costs"],
            processing_time=data["processing_time"],
            bring=tuple(data.get("bring") or ()),
            appointment_needed=bool(data["appointment_needed"]),
            link=data["link"],
            next_step=data["next_step"],
            synonyms=tuple(s.lower() for s in data.get("synonyms") or ()),
            social=bool(data.get("social", False)),
            contact=data.get("contact"),
            other_body=dict(data["other_body"]) if data.get("other_body") else None,
            appointment_in_chat=bool(data.get("appointment_in_chat", True)),
            signal_offer=data.get("signal_offer"),
            more=tuple(data.get("more") or ()),
        )

    def matches(self, value: str) -> bool:
        """Tell whether an entity value or word names this product."""
        needle = value.strip().lower()
        return bool(needle) and (
            needle in self.synonyms or needle == self.key or needle == self.title.lower()
        )

    def synonym_score(self, text: str) -> int:
        """Characters of this product's synonyms found in ``text``, each at the start of a word."""
        lower = text.lower()
        return sum(
            len(synonym) for synonym in self.synonyms if re.search(rf"(?<!\w){re.escape(synonym)}", lower)
        )

    def bring_text(self) -> str:
        """The documents to bring as a bulleted list (empty string when nothing is needed)."""
        return "\n".join(f"- {item}" for item in self.bring)

    def template_values(self) -> dict[str, str]:
        """Values for the product responses in the domain."""
        other = self.other_body or {}
        return {
            "product_key": self.key,
            "title": self.title,
            "upl_name": self.upl_name or self.title,
            "explanation": self.explanation,
            "costs": self.costs,
            "processing_time": self.processing_time,
            "bring": self.bring_text(),
            "link": self.link,
            "next_step": self.next_step,
            "other_body_name": other.get("name", ""),
            "other_body_website": other.get("website", ""),
            "other_body_note": other.get("note", ""),
        }


@dataclass(frozen=True)
class OpeningStatus:
    """Whether the desk is open at a moment, and when it opens next.

    Holds facts only; the Dutch sentence comes from the domain response named by :attr:`response`,
    filled with :meth:`template_values`.
    """

    is_open: bool
    closes_at: time | None = None
    next_open: datetime | None = None
    days_until_open: int | None = None
    holiday_name: str | None = None

    @property
    def next_open_weekday(self) -> int | None:
        """Weekday index (Monday = 0) of the next opening, if known."""
        return self.next_open.weekday() if self.next_open else None

    @property
    def response(self) -> str:
        """Name of the domain response that tells this status."""
        if self.is_open:
            return "utter_open_now"
        if self.days_until_open is None:
            return "utter_closed_no_opening_known"
        if self.days_until_open == 0:
            return "utter_closed_opens_today"
        if self.days_until_open == 1:
            return "utter_closed_opens_tomorrow"
        return "utter_closed_opens_on_day"

    def template_values(self, weekday_names: list[str] | tuple[str, ...]) -> dict[str, str]:
        """Values for the opening responses; weekday names come from the content file."""
        values = {"closes_at": "", "opens_at": "", "opens_day": "", "holiday_name": self.holiday_name or ""}
        if self.closes_at is not None:
            values["closes_at"] = format_time(self.closes_at)
        if self.next_open is not None:
            values["opens_at"] = format_time(self.next_open.time())
            values["opens_day"] = weekday_names[self.next_open.weekday()]
        return values


@lru_cache(maxsize=16)
def _nl_holidays(year: int) -> Mapping[date, str]:
    return holidays.country_holidays("NL", years=year, language=HOLIDAY_LANGUAGE)


def public_holiday(day: date) -> str | None:
    """Dutch name of the Dutch public holiday on ``day`` (holidays.NL), or ``None``."""
    return _nl_holidays(day.year).get(day)


def _weekly(data: Mapping[str, list[Mapping[str, str]]]) -> WeeklyHours:
    return tuple(
        tuple(Interval(_parse_time(iv["open"]), _parse_time(iv["close"])) for iv in data[key])
        for key in WEEKDAY_KEYS
    )


class Content:
    """The content of one municipality (built by :func:`load_content`)."""

    def __init__(self, data: Mapping[str, Any], source: Path | None = None) -> None:
        """Wrap validated content data.

        Args:
            data: The parsed and validated content file.
            source: Where it was read from (for messages).
        """
        self.data = data
        self.source = source
        self.id: str = data["municipality"]["id"]
        #: ``test`` for fictional development content, else ``production``.
        self.profile: str = data.get("profile", "production")
        self.name: str = data["municipality"]["name"]
        self.official_name: str = data["municipality"]["official_name"]
        self.contact: dict[str, str] = dict(data["contact"])
        self.weekday_names: tuple[str, ...] = tuple(data["weekday_names"])
        self.opening_hours: dict[str, Any] = dict(data["opening_hours"])
        self.handoff: dict[str, Any] = dict(data["handoff"])
        self.social_contacts: dict[str, dict[str, str]] = {
            k: dict(v) for k, v in data["social_contacts"].items()
        }
        self.tree_ordinance: dict[str, Any] = dict(data["tree_ordinance"])
        self.dormer: dict[str, Any] = dict(data["dormer"])
        self.products: dict[str, Product] = {
            key: Product.from_dict(key, value) for key, value in data["products"].items()
        }
        self.timezone = ZoneInfo(self.opening_hours["timezone"])
        self._desk_hours = _weekly(self.opening_hours["weekly"])
        self._handoff_hours = _weekly(self.handoff["working_hours"])
        self._extra_closed = {date.fromisoformat(d) for d in self.opening_hours.get("extra_closed_dates", [])}
        self._open_on_holidays = set(self.opening_hours.get("open_on_holidays", []))

    # ---------------------------------------------------------------- general
    @property
    def wijkteam(self) -> dict[str, str]:
        """Contact details of the wijkteam (always present)."""
        return self.social_contacts["wijkteam"]

    def social_contact(self, key: str | None) -> dict[str, str]:
        """A social-domain contact by key, falling back to the wijkteam."""
        return self.social_contacts.get(key or "wijkteam", self.wijkteam)

    def template_values(self) -> dict[str, str]:
        """Values every response may use: municipality name and contact details."""
        wijkteam = self.wijkteam
        return {
            "municipality_name": self.name,
            "municipality_official_name": self.official_name,
            "phone": self.contact["phone"],
            "phone_hours": self.contact["phone_hours"],
            "email": self.contact["email"],
            "address": self.contact["address"],
            "website": self.contact["website"],
            "privacy_url": self.contact["privacy_url"],
            "privacy_email": self.contact.get("privacy_email", self.contact["email"]),
            "postal_address": self.contact.get("postal_address", self.contact["address"]),
            "wijkteam_name": wijkteam["name"],
            "wijkteam_phone": wijkteam["phone"],
            "wijkteam_hours": wijkteam["hours"],
            "wijkteam_email": wijkteam["email"],
            "handoff_response_time": self.handoff["response_time"],
        }

    # ---------------------------------------------------------------- products
    def product(self, key: str | None) -> Product | None:
        """The product with this key, or ``None``."""
        return self.products.get(key) if key else None

    def products_for_intent(self, intent: str | None) -> list[Product]:
        """All products answering ``intent``, in file order (the first is the main one)."""
        return [p for p in self.products.values() if p.intent == intent]

    def find_product(self, value: str | None) -> Product | None:
        """The product whose key, title or synonym equals ``value`` (an entity value), or ``None``."""
        if not value:
            return None
        return next((p for p in self.products.values() if p.matches(value)), None)

    def product_for_intent(
        self, intent: str | None, hint: str | None = None, text: str | None = None
    ) -> Product | None:
        """The product answering ``intent``.

        One intent of the public contract may have several products: ``informal_care`` covers
        mantelzorg and respijtzorg, ``wmo_support`` household help and elderly care. The first
        product of the intent is its main answer; a later one is chosen when the entity ``hint``
        names it, or when the message ``text`` holds more of its synonyms (matched at the start
        of a word, counted in characters) than of any other product of the intent.

        Args:
            intent: The Rasa intent name.
            hint: An entity value (``product``/``document_type``) that may pick one of several
                products of the intent, e.g. "ID-kaart" for ``passport_id_card``.
            text: The resident's message.
        """
        candidates = self.products_for_intent(intent)
        if hint:
            for product in candidates:
                if product.matches(hint):
                    return product
        if text and len(candidates) > 1:
            scores = [product.synonym_score(text) for product in candidates]
            best = max(scores)
            if best > 0:
                return candidates[scores.index(best)]
        return candidates[0] if candidates else None

    def covered_intents(self) -> set[str]:
        """Intents that have at least one product."""
        return {p.intent for p in self.products.values()}

    # ---------------------------------------------------------------- hours
    def local_time(self, now: datetime) -> datetime:
        """``now`` in the municipality's time zone (naive datetimes are taken as local time)."""
        if now.tzinfo is None:
            return now.replace(tzinfo=self.timezone)
        return now.astimezone(self.timezone)

    def closed_reason(self, day: date) -> tuple[bool, str | None]:
        """Whether the desk is closed all day on ``day`` (extra closing day or public holiday).

        Returns:
            ``(closed, holiday_name)``; ``holiday_name`` is set when a public holiday is the reason.
        """
        if day in self._extra_closed:
            return True, public_holiday(day)
        if self.opening_hours["closed_on_public_holidays"]:
            name = public_holiday(day)
            if name is not None and name not in self._open_on_holidays:
                return True, name
        return False, None

    def desk_intervals(self, day: date) -> tuple[Interval, ...]:
        """Opening intervals of the desk on ``day`` (empty when closed)."""
        if self.closed_reason(day)[0]:
            return ()
        return self._desk_hours[day.weekday()]

    def opening_status(self, now: datetime) -> OpeningStatus:
        """Is the desk open at ``now``, until when, or when does it open next?"""
        local = self.local_time(now)
        today, clock = local.date(), local.time().replace(tzinfo=None)
        holiday_name = self.closed_reason(today)[1]
        for interval in self.desk_intervals(today):
            if interval.open <= clock < interval.close:
                return OpeningStatus(is_open=True, closes_at=interval.close)
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            for interval in self.desk_intervals(day):
                if offset == 0 and interval.open <= clock:
                    continue
                opens = datetime.combine(day, interval.open, tzinfo=self.timezone)
                return OpeningStatus(
                    is_open=False, next_open=opens, days_until_open=offset, holiday_name=holiday_name
                )
        return OpeningStatus(is_open=False, holiday_name=holiday_name)

    def handoff_staffed(self, now: datetime) -> bool:
        """Whether staff answer handoffs live at ``now`` (working hours, not on closed days)."""
        local = self.local_time(now)
        if self.closed_reason(local.date())[0]:
            return False
        clock = local.time().replace(tzinfo=None)
        return any(iv.open <= clock < iv.close for iv in self._handoff_hours[local.weekday()])

    def handoff_response(self, now: datetime) -> str:
        """The Dutch handoff promise from content that fits ``now``."""
        key = "office_hours_response" if self.handoff_staffed(now) else "outside_hours_response"
        return self.handoff[key]


# -------------------------------------------------------------------- loading
def resolve_dir(content_dir: str | Path) -> Path:
    """The content directory; a relative path is taken relative to the project root."""
    path = Path(content_dir)
    return path if path.is_absolute() else PROJECT_ROOT / path


@lru_cache(maxsize=4)
def _schema(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def schema_for(content_dir: Path) -> dict[str, Any]:
    """The schema next to the content files, or the project's default schema."""
    local = content_dir / "schema.json"
    return _schema(str(local if local.is_file() else DEFAULT_SCHEMA_PATH))


def topic_intents(schema: Mapping[str, Any] | None = None) -> list[str]:
    """The intents a product may answer (the ``intent`` enum of the schema)."""
    schema = schema or _schema(str(DEFAULT_SCHEMA_PATH))
    return list(schema["$defs"]["product"]["properties"]["intent"]["enum"])


def _semantic_errors(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    for section, key in (("opening_hours", "weekly"), ("handoff", "working_hours")):
        for day in WEEKDAY_KEYS:
            previous_close = ""
            for interval in data[section][key][day]:
                if interval["open"] >= interval["close"]:
                    errors.append(f"{section}.{key}.{day}: open {interval['open']} is not before close")
                if interval["open"] < previous_close:
                    errors.append(f"{section}.{key}.{day}: intervals overlap or are out of order")
                previous_close = interval["close"]
    for value in data["opening_hours"].get("extra_closed_dates", []):
        try:
            date.fromisoformat(value)
        except ValueError:
            errors.append(f"opening_hours.extra_closed_dates: {value!r} is not a valid date")
    try:
        ZoneInfo(data["opening_hours"]["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"opening_hours.timezone: unknown time zone {data['opening_hours']['timezone']!r}")
    for key, product in data["products"].items():
        contact = product.get("contact")
        if contact and contact not in data["social_contacts"]:
            errors.append(f"products.{key}.contact: {contact!r} is not a key of social_contacts")
    tree = data["tree_ordinance"]
    if "min_circumference_cm" in tree and "min_diameter_cm" in tree:
        expected = tree["min_diameter_cm"] * math.pi
        if abs(expected - tree["min_circumference_cm"]) > max(2.0, 0.05 * expected):
            errors.append(
                "tree_ordinance: min_circumference_cm and min_diameter_cm do not match (c = pi x d)"
            )
    return errors


def validate_content(data: Any, schema: Mapping[str, Any], source: str = "content") -> None:
    """Validate parsed content against the schema and the extra checks.

    Raises:
        ContentError: With one line per problem, naming the path inside the file.
    """
    validator = Draft202012Validator(schema)
    problems = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if not problems:
        problems = _semantic_errors(data)
    if problems:
        raise ContentError(f"{source} is not valid content:\n  - " + "\n  - ".join(problems))


def load_content(path: str | Path, schema: Mapping[str, Any] | None = None) -> Content:
    """Read, validate and wrap one content file.

    Raises:
        ContentError: When the file is missing, is not YAML, or is not valid content.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ContentError(f"content file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path} is not valid YAML: {exc}") from exc
    validate_content(data, schema or schema_for(path.parent), str(path))
    return Content(data, path)


@lru_cache(maxsize=8)
def _cached_content(municipality: str, content_dir: str) -> Content:
    if not _NAME_RE.match(municipality):
        raise ContentError(f"invalid municipality name {municipality!r} (use a-z, 0-9, - and _)")
    directory = resolve_dir(content_dir)
    return load_content(directory / f"{municipality}.yml", schema_for(directory))


def get_content(municipality: str | None = None) -> Content:
    """The content of ``municipality`` (default: the ``MUNICIPALITY`` setting), cached per name.

    Raises:
        ContentError: When the content file is missing or invalid.
    """
    settings = get_settings()
    return _cached_content(municipality or settings.municipality, settings.content_dir)


def clear_content_cache() -> None:
    """Forget loaded content (tests; after editing a content file)."""
    _cached_content.cache_clear()
    _schema.cache_clear()


def content_or(read: Callable[[Content], T], default: T, what: str = "municipality content") -> T:
    """THE guarded content read: ``read(get_content())``, or ``default`` when that fails.

    Content problems (a missing or invalid file, a missing section) must never silence the
    assistant: the failure is logged and the caller answers with ``default`` instead.
    """
    try:
        return read(get_content())
    except Exception:  # content problems must never silence the assistant
        logger.exception("%s could not be loaded", what)
        return default
