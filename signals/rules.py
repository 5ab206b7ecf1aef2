"""Signal rules as data, and the rule kinds that evaluate them.

``signals/rules.yml`` (validated against ``signals/rules.schema.json``) lists the rules; each has a
``kind`` implemented here once, as a pure function of the resident's BRP data and the day:

* ``aow_age``: the AOW date (birth date + AOW age from ``signals/aow_ages.yml``) lies within
  ``lead_days`` from today (``aow_date - lead_days <= today < aow_date``). Period ``once``: one signal
  per resident, ever. Unknown AOW age (born too late for the law to say) or outside the table: none.
* ``school_leaver``: the resident reaches one of ``ages`` this calendar year and today lies between
  ``from`` and ``until`` (``MM-DD``, both inclusive). Period: the year.
* ``document_expiry``: a passport/ID card of ``document_types`` (the newest of each type, not
  reported stolen or lost) expires within ``within_days`` (``0 <= expiry - today <= within_days``).
  Period: the expiry date, so a renewed document gives a new signal years later.

Nothing is read at import time; :func:`load_rules` caches per path.

Per municipality (issue 18): these are the national rules. A municipality's content file may switch
a rule off or change its parameters and text in its ``signals`` section (keys :data:`OVERRIDABLE`;
``when`` and ``applies_to`` merged key by key, the kind of a rule and its AOW table stay national).
:func:`rules_for` gives the rules of one municipality; the content comes through the provider that
``app/registry.py`` installs (:func:`set_overrides_provider`), so this package never reads content.
The result is validated against ``rules.schema.json`` like the national file.
"""

from __future__ import annotations

import calendar
import copy
import json
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SIGNALS_DIR = Path(__file__).resolve().parent
RULES_PATH = SIGNALS_DIR / "rules.yml"
SCHEMA_PATH = SIGNALS_DIR / "rules.schema.json"
DEFAULT_DOCUMENT_WINDOW_DAYS = 120
#: Period of signals that are sent once per resident.
ONCE = "once"


class RulesError(Exception):
    """The rules file or the AOW table is invalid."""


@dataclass(frozen=True)
class AgeSpec:
    """An age of years and months (e.g. 67 years and 3 months)."""

    years: int
    months: int = 0


@dataclass(frozen=True)
class AowRow:
    """One row of the AOW table: births in [born_from, born_until] and their AOW age (None: unknown)."""

    born_from: date | None
    born_until: date | None
    age: AgeSpec | None

    def covers(self, born: date) -> bool:
        """Whether a birth date falls in this row."""
        return (self.born_from is None or born >= self.born_from) and (
            self.born_until is None or born <= self.born_until
        )


@dataclass(frozen=True)
class Button:
    """A follow-up button (title from rules.yml, payload into an answer or flow)."""

    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        """The button as Rasa expects it."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Template:
    """The approved WhatsApp template used outside the 24-hour window."""

    name: str
    language: str
    body_parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One signal rule of rules.yml."""

    id: str
    description: str
    enabled: bool
    kind: str
    applies_to: dict[str, Any]
    when: dict[str, Any]
    message: str
    follow_up: tuple[Button, ...]
    source_text: str
    source_url: str
    whatsapp_template: Template | None = None
    aow_table: tuple[AowRow, ...] = ()
    #: A municipality's own message text (``{signal_date}``, ``{municipality_name}``) instead of the
    #: response ``message`` (issue 18; national rules have none).
    text: str | None = None
    #: The rule as read from the file (what a municipality's overrides are applied to).
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class RuleSet:
    """All rules plus the consent settings."""

    consent_text_version: str
    valid_consent_versions: frozenset[str]
    stop_button: Button
    rules: tuple[Rule, ...]
    #: Where the AOW tables of the rules live (``applies_to.table`` is relative to it).
    base_dir: Path = field(default=SIGNALS_DIR, compare=False)

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> RuleSet:
        """These rules with a municipality's overrides applied (``{rule_id: {key: value}}``).

        Overrides of rules that are not in this set are left out (:func:`check_overrides` reports
        them). Raises:
            RulesError: An override that changes the kind or the table, or a result that does not
                match the schema.
        """
        if not overrides:
            return self
        changed = [rule.id for rule in self.rules if overrides.get(rule.id)]
        if not changed:
            return self
        data = {
            "consent": {
                "text_version": self.consent_text_version,
                "valid_versions": sorted(self.valid_consent_versions),
            },
            "stop_button": self.stop_button.as_dict(),
            "rules": [_overridden(rule.raw, overrides.get(rule.id)) for rule in self.rules],
        }
        return parse_rules(data, base_dir=self.base_dir)

    def get(self, rule_id: str) -> Rule | None:
        """The rule with ``rule_id`` (enabled or not), or None."""
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    @property
    def enabled(self) -> tuple[Rule, ...]:
        """The enabled rules."""
        return tuple(rule for rule in self.rules if rule.enabled)

    def buttons(self, rule: Rule) -> list[dict[str, str]]:
        """The buttons under a signal: the rule's follow-ups and the stop button."""
        return [button.as_dict() for button in (*rule.follow_up, self.stop_button)]


@dataclass(frozen=True)
class ResidentData:
    """What the rules may use about a resident (from the BRP; nothing else)."""

    birth_date: date | None = None
    #: (document type code, expiry date, reported stolen/lost) per travel document.
    documents: tuple[tuple[str, date | None, bool], ...] = ()


@dataclass(frozen=True)
class Due:
    """A signal that is due: rule, period (dedup key) and the values for the message."""

    rule_id: str
    period: str
    key_date: date
    #: Last day on which sending still makes sense (after it, a pending signal expires).
    expires_on: date
    values: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------- dates
def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` months; a day that does not exist becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_age(born: date, age: AgeSpec) -> date:
    """The day a person born on ``born`` reaches ``age``."""
    return add_months(born, age.years * 12 + age.months)


def format_date_digits(day: date) -> str:
    """A date for residents, digits only (``14-10-2028``)."""
    return day.strftime("%d-%m-%Y")


def _month_day(value: str, year: int) -> date:
    month, day = (int(part) for part in value.split("-"))
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------- AOW table
def _opt_date(value: Any) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _age(value: Any) -> AgeSpec | None:
    if value == "unknown":
        return None
    return AgeSpec(int(value["years"]), int(value.get("months", 0)))


def _check_aow_table(
    name: str, by_year: list[tuple[int, int | None, AgeSpec | None]], rows: list[AowRow]
) -> None:
    """Check the birth-date rows against the reference table by year in which the age is reached."""

    def age_in(year: int) -> AgeSpec | None | str:
        for first, last, age in by_year:
            if first <= year and (last is None or year <= last):
                return age
        return "missing"

    for before, after in zip(rows, rows[1:], strict=False):
        if before.born_until is None or after.born_from != before.born_until + timedelta(days=1):
            raise RulesError(f"{name}: rows must follow each other without gaps or overlaps")
    # the AOW age never goes down, so the highest known age decides where "unknown" starts
    highest = max((age for _, _, age in by_year if age is not None), key=lambda a: (a.years, a.months))
    for row in rows:
        if row.age is None:
            if row.born_from is None or age_in(add_age(row.born_from, highest).year) is not None:
                raise RulesError(f"{name}: the unknown row starts before the AOW age is really unknown")
            continue
        if row.born_from is None or row.born_until is None:
            raise RulesError(f"{name}: a known AOW age needs a closed birth range")
        for born in (row.born_from, row.born_until):
            year = add_age(born, row.age).year
            if age_in(year) != row.age:
                raise RulesError(
                    f"{name}: born {born} reaches the AOW age in {year}, where it is {age_in(year)}"
                )
        year = add_age(row.born_until + timedelta(days=1), row.age).year
        if age_in(year) == row.age:
            raise RulesError(f"{name}: the row ending {row.born_until} ends too early")


def load_aow_table(path: Path) -> tuple[AowRow, ...]:
    """Load and check the AOW table.

    Raises:
        RulesError: The file is malformed, or its birth-date rows do not match the reference table
            ``age_by_year_reached`` (gaps, overlaps, a wrong age).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_year = [(int(e["years"][0]), e["years"][1], _age(e["age"])) for e in data["age_by_year_reached"]]
        rows = sorted(
            (
                AowRow(_opt_date(r["born_from"]), _opt_date(r["born_until"]), _age(r["age"]))
                for r in data["rows"]
            ),
            key=lambda r: r.born_from or date.min,
        )
        if not data["source"]["text"] or not data["source"]["url"]:
            raise RulesError(f"{path.name}: source is required")
    except (OSError, KeyError, TypeError, ValueError, IndexError, yaml.YAMLError) as exc:
        raise RulesError(f"{path.name}: {exc}") from exc
    _check_aow_table(path.name, by_year, rows)
    return tuple(rows)


def aow_date(born: date, table: Sequence[AowRow]) -> date | None:
    """The AOW date of someone born on ``born``; None when the AOW age is unknown or not in the table."""
    row = next((r for r in table if r.covers(born)), None)
    if row is None or row.age is None:
        return None
    return add_age(born, row.age)


# ---------------------------------------------------------------------------- kinds
def _aow_age(rule: Rule, resident: ResidentData, today: date) -> list[Due]:
    if resident.birth_date is None:
        return []
    day = aow_date(resident.birth_date, rule.aow_table)
    if day is None:
        return []
    start = day - timedelta(days=int(rule.when["lead_days"]))
    if not start <= today < day:
        return []
    return [Due(rule.id, ONCE, day, day - timedelta(days=1), {"date": format_date_digits(day)})]


def _school_leaver(rule: Rule, resident: ResidentData, today: date) -> list[Due]:
    if resident.birth_date is None:
        return []
    if today.year - resident.birth_date.year not in set(rule.applies_to["ages"]):
        return []
    start = _month_day(rule.when["from"], today.year)
    deadline = _month_day(rule.when["until"], today.year)
    if not start <= today <= deadline:
        return []
    return [Due(rule.id, str(today.year), deadline, deadline, {"date": format_date_digits(deadline)})]


def _document_expiry(rule: Rule, resident: ResidentData, today: date) -> list[Due]:
    window = int(rule.when.get("within_days", DEFAULT_DOCUMENT_WINDOW_DAYS))
    newest: dict[str, date] = {}
    for kind, expiry, stolen_or_lost in resident.documents:
        if kind not in rule.applies_to["document_types"] or expiry is None or stolen_or_lost:
            continue
        newest[kind] = max(expiry, newest.get(kind, expiry))
    due = []
    for expiry in sorted(set(newest.values())):
        if 0 <= (expiry - today).days <= window:
            due.append(Due(rule.id, expiry.isoformat(), expiry, expiry, {"date": format_date_digits(expiry)}))
    return due


Evaluator = Callable[[Rule, ResidentData, date], list[Due]]
KINDS: dict[str, Evaluator] = {
    "aow_age": _aow_age,
    "school_leaver": _school_leaver,
    "document_expiry": _document_expiry,
}
#: What each kind needs from the BRP (for data minimisation: fetch only that).
NEEDS_BIRTH_DATE = frozenset({"aow_age", "school_leaver"})
NEEDS_DOCUMENTS = frozenset({"document_expiry"})


def evaluate(rule: Rule, resident: ResidentData, today: date) -> list[Due]:
    """The signals ``rule`` makes due for ``resident`` on ``today`` (empty for a disabled rule)."""
    if not rule.enabled:
        return []
    return KINDS[rule.kind](rule, resident, today)


def evaluate_all(rules: RuleSet, resident: ResidentData, today: date) -> list[Due]:
    """The due signals of every enabled rule."""
    return [due for rule in rules.enabled for due in evaluate(rule, resident, today)]


# ---------------------------------------------------------------------------- per municipality
#: What a municipality may change of a national rule (its ``signals`` section in content).
OVERRIDABLE = ("enabled", "when", "applies_to", "follow_up", "whatsapp_template", "text")
#: The placeholders a municipality's own ``text`` may use.
TEXT_PLACEHOLDERS = frozenset({"signal_date", "municipality_name"})
#: Of ``applies_to``, these stay national.
NATIONAL_ONLY = ("kind", "table")
_overrides: list[Callable[[str], Mapping[str, Any]]] = []


def set_overrides_provider(provider: Callable[[str], Mapping[str, Any]] | None) -> None:
    """Install how a municipality's overrides are found (``app/registry.py``; ``None``: remove)."""
    _overrides.clear()
    if provider is not None:
        _overrides.append(provider)


def overrides_for(municipality: str | None) -> Mapping[str, Any]:
    """The ``signals`` section of a municipality (empty without a municipality or a provider)."""
    if not municipality or not _overrides:
        return {}
    return _overrides[0](municipality) or {}


def rules_for(municipality: str | None, national: RuleSet | None = None) -> RuleSet:
    """The rules of ``municipality``: ``national`` (default: rules.yml) with its overrides.

    Raises:
        RulesError: The national rules or the municipality's overrides are invalid.
    """
    base = national if national is not None else load_rules()
    return base.with_overrides(overrides_for(municipality))


def _overridden(raw: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    rule = copy.deepcopy(dict(raw))
    for key, value in (override or {}).items():
        if key not in OVERRIDABLE:
            raise RulesError(f"rule {rule.get('id')}: {key!r} cannot be changed per municipality")
        if key == "applies_to" and isinstance(value, Mapping):
            if any(k in value and value[k] != rule["applies_to"].get(k) for k in NATIONAL_ONLY):
                raise RulesError(f"rule {rule.get('id')}: applies_to.kind and .table are national")
        if key in ("when", "applies_to") and isinstance(value, Mapping):
            rule[key] = {**rule.get(key, {}), **value}
        else:
            rule[key] = copy.deepcopy(value)
    return rule


def check_overrides(overrides: Any, national: RuleSet) -> list[str]:
    """Problems of a municipality's ``signals`` section against the national rules (empty: fine)."""
    if not overrides:
        return []
    if not isinstance(overrides, Mapping):
        return ["signals: must map rule ids to the changes"]
    problems = [
        f"signals.{rule_id}: no national rule with this id (signals/rules.yml)"
        for rule_id in overrides
        if national.get(rule_id) is None
    ]
    for rule_id, override in overrides.items():
        if national.get(rule_id) is None:
            continue
        try:
            national.with_overrides({rule_id: override})
        except RulesError as exc:
            problems.append(f"signals.{rule_id}: {exc}")
        text = override.get("text") if isinstance(override, Mapping) else None
        if isinstance(text, str):
            try:
                names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            except ValueError as exc:
                names, problems = set(), [*problems, f"signals.{rule_id}.text: {exc}"]
            unknown = sorted(names - TEXT_PLACEHOLDERS)
            if unknown:
                problems.append(
                    f"signals.{rule_id}.text: unknown placeholder(s) {', '.join(unknown)} "
                    f"(allowed: {', '.join(sorted(TEXT_PLACEHOLDERS))})"
                )
    return problems


# ---------------------------------------------------------------------------- loading
def _button(raw: dict[str, Any]) -> Button:
    return Button(str(raw["title"]), str(raw["payload"]))


def parse_rules(data: Any, base_dir: Path = SIGNALS_DIR, schema_path: Path = SCHEMA_PATH) -> RuleSet:
    """Validate parsed rules.yml content and build the :class:`RuleSet`.

    Raises:
        RulesError: Schema violations (all listed), duplicate ids, bad dates or a broken AOW table.
    """
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        lines = [f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}" for e in errors]
        raise RulesError("rules.yml does not match the schema:\n" + "\n".join(lines))
    rules: list[Rule] = []
    for raw in data["rules"]:
        kind = raw["applies_to"]["kind"]
        table: tuple[AowRow, ...] = ()
        if kind == "aow_age":
            table = load_aow_table(base_dir / raw["applies_to"]["table"])
        if kind == "school_leaver":
            try:
                start = _month_day(raw["when"]["from"], 2024)
                end = _month_day(raw["when"]["until"], 2024)
            except ValueError as exc:
                raise RulesError(f"rule {raw['id']}: {exc}") from exc
            if start > end:
                raise RulesError(f"rule {raw['id']}: 'from' must not be after 'until'")
        template = raw.get("whatsapp_template")
        rules.append(
            Rule(
                id=raw["id"],
                description=raw["description"],
                enabled=bool(raw["enabled"]),
                kind=kind,
                applies_to=dict(raw["applies_to"]),
                when=dict(raw["when"]),
                message=raw["message"],
                follow_up=tuple(_button(b) for b in raw["follow_up"]),
                source_text=raw["source"]["text"],
                source_url=raw["source"]["url"],
                whatsapp_template=Template(
                    template["name"], template["language"], tuple(template.get("body_parameters") or ())
                )
                if template
                else None,
                aow_table=table,
                text=raw.get("text"),
                raw=copy.deepcopy(raw),
            )
        )
    ids = [rule.id for rule in rules]
    if len(ids) != len(set(ids)):
        raise RulesError("rule ids must be unique")
    consent = data["consent"]
    if consent["text_version"] not in consent["valid_versions"]:
        raise RulesError("consent.valid_versions must include consent.text_version")
    return RuleSet(
        consent_text_version=str(consent["text_version"]),
        valid_consent_versions=frozenset(str(v) for v in consent["valid_versions"]),
        stop_button=_button(data["stop_button"]),
        rules=tuple(rules),
        base_dir=base_dir,
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> RuleSet:
    """Load, validate and cache the rules (tests call ``load_rules.cache_clear()``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path}: {exc}") from exc
    return parse_rules(data, base_dir=path.parent)
