"""Answers per municipality: form fields generated from content/schema.json, Dutch validation.

Every scalar value of a content file (``content/<municipality>.yml``) becomes a form field with
the type its JSON schema gives (text, number, yes/no, time); a change is validated against the
whole schema (plus "closes after it opens" for time intervals) before it is proposed, and
written back through a ruamel.yaml round trip that keeps comments, order and quoting.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from actions.content import merge_layers
from workbench.yamlio import LayoutError, dumps, load_fast, load_round_trip

CONTENT_DIR = Path("content")
DEFAULT_MUNICIPALITY = "voorbeeldstad"
TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"

LABELS: dict[str, str] = {
    "monday": "maandag",
    "tuesday": "dinsdag",
    "wednesday": "woensdag",
    "thursday": "donderdag",
    "friday": "vrijdag",
    "saturday": "zaterdag",
    "sunday": "zondag",
    "open": "opent om",
    "close": "sluit om",
    "weekly": "openingstijden per week",
    "summary": "samenvatting",
    "desk_name": "naam van de balie",
    "timezone": "tijdzone",
    "phone": "telefoonnummer",
    "email": "e-mailadres",
    "url": "webadres",
    "costs": "kosten",
    "hours": "tijden",
    "name": "naam",
    "closed_on_public_holidays": "dicht op feestdagen",
    "appointment_note": "opmerking over afspraken",
    "address": "adres",
    "addresses_api_url": "adres van de adressen-API",
    "age_years": "leeftijd in jaren",
    "age_years_months": "leeftijd in jaren en maanden",
    "anonymous": "anoniem",
    "appointment_in_chat": "afspraak maken in de chat",
    "appointment_needed": "afspraak nodig",
    "appointments_api_url": "adres van de afspraken-API",
    "backends": "koppelingen",
    "bring": "meenemen",
    "brp_api_url": "adres van de BRP-API",
    "button_title": "tekst op de knop",
    "chat": "chat",
    "checked_on": "gecontroleerd op",
    "contact": "contact",
    "crown_pruning_percent": "kroon snoeien (procent)",
    "date_range": "periode",
    "description": "beschrijving",
    "domestic_violence": "huiselijk geweld",
    "dormer": "dakkapel",
    "emergency": "nood",
    "explanation": "uitleg",
    "extra_closed_dates": "extra dagen dicht",
    "free": "gratis",
    "front_dormer": "dakkapel aan de voorkant",
    "handoff": "doorzetten naar een medewerker",
    "id": "code",
    "inclusive": "grens telt mee",
    "intent": "intentie",
    "klantinteracties_actor_uuid": "actor in Klantinteracties (uuid)",
    "klantinteracties_api_url": "adres van de Klantinteracties-API",
    "language": "taal",
    "lines": "regels",
    "link": "link",
    "max_width_fraction": "hoogste breedte (deel van het dak)",
    "measured_at_height_cm": "gemeten op hoogte (cm)",
    "min_circumference_cm": "kleinste omtrek (cm)",
    "min_diameter_cm": "kleinste doorsnede (cm)",
    "month_names": "namen van de maanden",
    "monumental_min_diameter_cm": "kleinste doorsnede monumentale boom (cm)",
    "more": "meer uitleg bij een nieuwe vraag",
    "multi_stem_rule": "regel voor meer stammen",
    "municipality": "gemeente",
    "next_step": "volgende stap",
    "note": "opmerking",
    "office_hours_response": "antwoord binnen kantoortijd",
    "official_name": "officiële naam",
    "omgevingsplan_note": "opmerking over het omgevingsplan",
    "open_on_holidays": "open op feestdagen",
    "opening_hours": "openingstijden",
    "other_body": "andere organisatie",
    "outside_hours_response": "antwoord buiten kantoortijd",
    "phone_alt": "ander telefoonnummer",
    "phone_hours": "telefonisch bereikbaar",
    "postal_address": "postadres",
    "privacy_email": "e-mailadres voor privacy",
    "privacy_url": "webadres van de privacyverklaring",
    "processing_time": "hoe lang het duurt",
    "products": "producten",
    "profile": "profiel",
    "protected_list_note": "opmerking over de lijst",
    "protected_list_url": "webadres van de lijst",
    "protected_townscape_areas": "beschermde stads- of dorpsgezichten",
    "reisdocumenten_api_url": "adres van de reisdocumenten-API",
    "response_time": "reactietijd",
    "schema_version": "versie van het schema",
    "signal_offer": "signaal aanbieden",
    "social": "sociaal domein",
    "social_contacts": "contacten sociaal domein",
    "source": "bron",
    "suicide": "zelfdoding",
    "synonyms": "andere woorden",
    "title": "titel",
    "tree_ordinance": "bomenverordening",
    "upl_name": "naam in de UPL",
    "waste_api_url": "adres van de afval-API",
    "website": "website",
    "weekday_names": "namen van de dagen",
    "working_hours": "werktijden",
    "zaken_api_url": "adres van de Zaken-API",
    "zgw_client_id": "ZGW client-id",
    "zgw_rsin": "RSIN van de gemeente",
    # issue 18: retention and signal rules per municipality
    "retention": "bewaartermijnen",
    "conversation_days": "gesprekken bewaren (dagen)",
    "processing_log_days": "verwerkingsregister bewaren (dagen)",
    "signals": "signaleringen",
    "enabled": "aan",
    "when": "wanneer",
    "applies_to": "voor wie",
    "follow_up": "knoppen",
    "whatsapp_template": "WhatsApp-sjabloon",
    "text": "tekst",
    "within_days": "dagen van tevoren",
    "lead_days": "dagen van tevoren",
    "ages": "leeftijden",
    "document_types": "soorten reisdocument",
    "from": "vanaf (maand-dag)",
    "until": "tot en met (maand-dag)",
    "payload": "wat de knop doet",
    "body_parameters": "invulvelden",
}


@dataclass(frozen=True)
class Field:
    """One editable value."""

    path: str  # dotted, list indexes as numbers: "weekly.monday.0.open"
    label: str
    kind: str  # "text", "number", "integer", "boolean", "time"
    value: Any
    description: str = ""

    @property
    def field_id(self) -> str:
        """An HTML id for the field."""
        return "c-" + self.path.replace(".", "-")


#: The national base layer (issue 18), edited like a municipality under this name.
NATIONAL = "national"
BASE_FILE = Path("national") / "base.yml"
#: Files in content/ that are not a municipality's content.
NOT_CONTENT = frozenset({"municipalities.yml"})


def municipalities(repo: Path) -> list[str]:
    """The editable layers: every municipality with a content file, and the national base."""
    names = sorted(p.stem for p in (repo / CONTENT_DIR).glob("*.yml") if p.name not in NOT_CONTENT)
    return [*names, NATIONAL] if (repo / CONTENT_DIR / BASE_FILE).is_file() else names


def layer_file(municipality: str) -> Path:
    """The file of a layer, relative to the repository."""
    return CONTENT_DIR / (BASE_FILE if municipality == NATIONAL else Path(f"{municipality}.yml"))


def merged(repo: Path, municipality: str, layer: dict[str, Any] | None = None) -> dict[str, Any]:
    """A municipality's content as the assistant reads it: its file on top of the national base."""
    own = load(repo, municipality) if layer is None else layer
    base_path = repo / CONTENT_DIR / BASE_FILE
    base = load_fast(base_path.read_text(encoding="utf-8")) if base_path.is_file() else {}
    return merge_layers(base or {}, own)


def _schema(repo: Path) -> dict[str, Any]:
    return json.loads((repo / CONTENT_DIR / "schema.json").read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"].removeprefix("#/").split("/")
        target: Any = root
        for part in ref:
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _child_schema(schema: dict[str, Any], key: str | int, root: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema, root)
    if isinstance(key, int):
        return _resolve(schema.get("items") or {}, root)
    props = schema.get("properties") or {}
    if key in props:
        return _resolve(props[key], root)
    extra = schema.get("additionalProperties")
    return _resolve(extra, root) if isinstance(extra, dict) else {}


def _kind(schema: dict[str, Any], value: Any) -> str:
    kind = schema.get("type")
    if kind in ("number", "integer", "boolean"):
        return str(kind)
    if schema.get("pattern") == TIME_PATTERN:
        return "time"
    if isinstance(value, bool):
        return "boolean"
    return "text"


def load(repo: Path, municipality: str) -> dict[str, Any]:
    """The content of one municipality (plain data)."""
    if municipality not in municipalities(repo):
        raise KeyError(municipality)
    return load_fast((repo / layer_file(municipality)).read_text(encoding="utf-8")) or {}


def fields(repo: Path, municipality: str, section: str) -> list[Field]:
    """The editable scalar values of one top-level section, in file order."""
    root = _schema(repo)
    data = load(repo, municipality)
    found: list[Field] = []

    def walk(value: Any, schema: dict[str, Any], path: list[str | int]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, _child_schema(schema, key, root), [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, _child_schema(schema, index, root), [*path, index])
        else:
            words = [
                LABELS.get(str(p), str(p).replace("_", " ")) if not isinstance(p, int) else f"blok {p + 1}"
                for p in path[1:]
            ]
            found.append(
                Field(
                    ".".join(str(p) for p in path),
                    ", ".join(words) or section,
                    _kind(schema, value),
                    value,
                    str(schema.get("description") or ""),
                )
            )

    if section in data:
        walk(data[section], _child_schema(root, section, root), [section])
    return found


def _coerce(kind: str, raw: str) -> Any:
    raw = raw.strip()
    if kind == "boolean":
        return raw in ("1", "true", "ja", "on")
    if kind in ("number", "integer"):
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw  # the schema reports it
        return int(number) if kind == "integer" and number.is_integer() else number
    return raw


def _set(data: Any, path: str, value: Any) -> None:
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def _message(error: Any) -> str:
    validator = error.validator
    if validator == "pattern" and error.validator_value == TIME_PATTERN:
        return "Vul een tijd in als 08:30: uren van 00 tot 23, minuten van 00 tot 59."
    if validator == "pattern":
        return "Deze waarde heeft niet de goede vorm."
    if validator == "minLength":
        return "Dit veld mag niet leeg zijn."
    if validator == "type":
        return {
            "number": "Vul een getal in.",
            "integer": "Vul een heel getal in.",
            "boolean": "Kies ja of nee.",
        }.get(str(error.validator_value), "Deze waarde past hier niet.")
    if validator == "minimum":
        return f"Het getal moet minstens {error.validator_value} zijn."
    if validator == "maximum":
        return f"Het getal mag hoogstens {error.validator_value} zijn."
    if validator == "enum":
        return "Kies een van: " + ", ".join(map(str, error.validator_value)) + "."
    if validator == "format":
        return {
            "email": "Vul een geldig e-mailadres in.",
            "uri": "Vul een volledig webadres in (https://...).",
        }.get(str(error.validator_value), "Deze waarde heeft niet de goede vorm.")
    return "Deze waarde past niet bij de regels voor de inhoud."


def validate_changes(
    repo: Path, municipality: str, section: str, form: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Apply the submitted form values to a copy and validate.

    Args:
        repo: the repository root.
        municipality: content file name without ``.yml``.
        section: the top-level section the form edits.
        form: ``{dotted path: submitted text}`` (other keys ignored).

    Returns:
        The changed values (``{path: value}``) and the Dutch errors per path (empty: valid).
    """
    current = {f.path: f for f in fields(repo, municipality, section)}
    data = copy.deepcopy(load(repo, municipality))
    changes: dict[str, Any] = {}
    for path, field in current.items():
        if field.kind == "boolean":
            value: Any = _coerce("boolean", form.get(path, ""))
        elif path in form:
            value = _coerce(field.kind, form[path])
        else:
            continue
        if value != field.value:
            changes[path] = value
            _set(data, path, value)
    errors: dict[str, str] = {}
    if municipality == NATIONAL:  # the base is valid when every municipality is, merged onto it
        checked = [merge_layers(data, load(repo, m)) for m in municipalities(repo) if m != NATIONAL]
    else:
        checked = [merged(repo, municipality, data)]
    for whole in checked:
        for error in Draft202012Validator(_schema(repo)).iter_errors(whole):
            path = ".".join(str(p) for p in error.absolute_path)
            errors.setdefault(path if path in current else section, _message(error))
    for path in current:  # an interval closes after it opens
        if path.endswith(".open"):
            start, end = _get(data, path), _get(data, path[: -len("open")] + "close")
            if isinstance(start, str) and isinstance(end, str) and path not in errors and start >= end:
                errors.setdefault(
                    path[: -len("open")] + "close", "De sluitingstijd moet na de openingstijd liggen."
                )
    return changes, errors


def _get(data: Any, path: str) -> Any:
    target = data
    for part in path.split("."):
        try:
            target = target[int(part)] if part.isdigit() else target[part]
        except (KeyError, IndexError, TypeError):
            return None
    return target


def apply_changes(repo: Path, payload: dict[str, Any]) -> str:
    """Write a content proposal (``municipality``, ``changes``); returns the file changed (relative).

    Raises:
        LayoutError: more lines would change than values were changed.
    """
    relative = layer_file(payload["municipality"])
    path = repo / relative
    original = path.read_text(encoding="utf-8")
    yaml, data = load_round_trip(original)
    for dotted, value in payload["changes"].items():
        old = _get(data, dotted)
        if isinstance(old, DoubleQuotedScalarString) and isinstance(value, str):
            value = DoubleQuotedScalarString(value)
        elif isinstance(old, SingleQuotedScalarString) and isinstance(value, str):
            value = SingleQuotedScalarString(value)
        _set(data, dotted, value)
    text = dumps(yaml, data)
    before, after = original.splitlines(), text.splitlines()
    changed_lines = sum(1 for a, b in zip(before, after, strict=False) if a != b)
    if len(before) != len(after) or changed_lines > len(payload["changes"]):
        raise LayoutError(
            "het opslaan zou meer regels veranderen dan de gewijzigde waarden; niets opgeslagen"
        )
    path.write_text(text, encoding="utf-8")
    return str(relative)


def differences(
    repo: Path, municipality: str, default: str = DEFAULT_MUNICIPALITY
) -> list[tuple[str, Any, Any]]:
    """Where ``municipality`` differs from the default: ``(path, own value, default value)``."""
    if municipality == NATIONAL:
        return []  # the base is what every municipality starts from
    own, base = merged(repo, municipality), merged(repo, default)
    found: list[tuple[str, Any, Any]] = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in list(dict.fromkeys([*a, *b])):
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        elif a != b:
            found.append((path, a, b))

    walk(own, base, "")
    return found


def preview(repo: Path, municipality: str, section: str, changes: dict[str, Any]) -> list[str]:
    """How the section reads in the chat after the changes (Dutch sentences)."""
    data = copy.deepcopy(load(repo, municipality))
    for path, value in changes.items():
        _set(data, path, value)
    if municipality != NATIONAL:
        data = merged(repo, municipality, data)
    part = data.get(section) or {}
    lines: list[str] = []
    weekly = part.get("weekly") or part.get("working_hours") if isinstance(part, dict) else None
    if isinstance(weekly, dict):
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            blocks = weekly.get(day) or []
            times = " en ".join(f"van {b.get('open')} tot {b.get('close')} uur" for b in blocks) or "gesloten"
            lines.append(f"{LABELS[day].capitalize()}: {times}.")
    if isinstance(part, dict):
        for key in ("summary", "appointment_note"):
            if isinstance(part.get(key), str):
                lines.append(part[key])
    return lines
