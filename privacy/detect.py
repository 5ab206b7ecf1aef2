"""Detection and masking of personal and special-category data in free text.

:func:`scan` finds, in a resident's message:

- ``health``: diagnoses, conditions, medication, health care (word lists in ``terms_nl.yml``);
- ``criminal``: criminal-record information (word list in ``terms_nl.yml``);
- ``bsn``: citizen service numbers that pass the 11-check (``stdnum.nl.bsn``);
- ``iban``: bank account numbers with a valid checksum (``stdnum.iban``);
- ``phone``: Dutch phone numbers (``06-12345678``, ``+31 20 123 4567``, ``(020) 123 45 67``) and
  other international numbers written with ``+``;
- ``email``: e-mail addresses;
- ``document_number``: Dutch passport/ID-card numbers (9 letters and digits, no letter O);
- ``token``: JWT-shaped strings (``eyJ...``.``...``.``...``), e.g. a portal token pasted into a message.

:func:`mask` replaces every finding with a placeholder such as ``[BSN]``. All patterns are
compiled once (lazily, on first use) and are linear in the length of the text, so megabytes of
input are handled without catastrophic backtracking.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from stdnum.nl import bsn as stdnum_bsn

HEALTH = "health"
CRIMINAL = "criminal"
BSN = "bsn"
IBAN = "iban"
PHONE = "phone"
EMAIL = "email"
DOCUMENT_NUMBER = "document_number"
TOKEN = "token"

#: All categories, in the order in which overlapping findings win (first wins).
CATEGORIES: tuple[str, ...] = (TOKEN, EMAIL, IBAN, PHONE, BSN, DOCUMENT_NUMBER, CRIMINAL, HEALTH)
#: Special categories of personal data (AVG articles 9 and 10).
SPECIAL_CATEGORIES: frozenset[str] = frozenset({HEALTH, CRIMINAL})

#: Placeholder that replaces a finding of each category in masked text.
PLACEHOLDERS: dict[str, str] = {
    BSN: "[BSN]",
    IBAN: "[IBAN]",
    PHONE: "[TELEFOON]",
    EMAIL: "[E-MAIL]",
    DOCUMENT_NUMBER: "[DOCUMENTNUMMER]",
    HEALTH: "[GEZONDHEID]",
    CRIMINAL: "[STRAFRECHT]",
    TOKEN: "[TOKEN]",
}

TERMS_FILE = Path(__file__).with_name("terms_nl.yml")

_PRIORITY = {category: index for index, category in enumerate(CATEGORIES)}

_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9][A-Za-z0-9-]{0,62}"
    r"(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![\w-])"
)
# A JSON Web Token: base64url header (always starts with '{"' = "eyJ"), payload and signature.
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*")
# A candidate IBAN: country code, check digits and 10-30 more characters, optionally grouped.
# Its length is the country's IBAN length (see _valid_iban).
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ .-]?[A-Za-z0-9]){10,30}")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_PHONE_NL = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)[ ]?31[ .-]?(?:\(0\)[ .-]?)?|\(0|0)"  # +31 / 0031 / +31 (0) / (0 / 0
    r"[1-9](?:[ .\-)]{0,2}\d){8}"  # the 9 digits of the national number
    r"(?!\d)"
)
# Dutch mobile numbers in international form without "+", as WhatsApp writes them (31612345678).
_PHONE_NL_MOBILE_BARE = re.compile(r"(?<![\w+])31[ .-]?6(?:[ .-]?\d){8}(?!\d)")
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+(?!31)[1-9]\d{0,2}(?:[ .-]?\d){6,12}(?!\d)")
# 9 digits, or grouped the way a BSN is printed: 1234.56.782, 123 456 782, 123-456-782.
_BSN = re.compile(r"(?<!\d)(?:\d{9}|\d{4}([ .-])\d{2}\1\d{3}|\d{3}([ .-])\d{3}\2\d{3})(?!\d)")
_DOCUMENT_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-NP-Z]{2}[A-NP-Z0-9]{6}\d(?![A-Za-z0-9])", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Finding:
    """One finding: its category and where it is in the text (no value is kept)."""

    category: str
    start: int
    end: int


@dataclass(frozen=True)
class ScanResult:
    """What :func:`scan` found in a text."""

    findings: tuple[Finding, ...] = ()

    @property
    def categories(self) -> frozenset[str]:
        """The categories found."""
        return frozenset(finding.category for finding in self.findings)

    @property
    def special_categories(self) -> frozenset[str]:
        """The special categories found (``health``, ``criminal``)."""
        return self.categories & SPECIAL_CATEGORIES

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The ``(start, end)`` offsets of all findings, in text order."""
        return [(finding.start, finding.end) for finding in self.findings]

    def has(self, category: str) -> bool:
        """Whether ``category`` was found."""
        return any(finding.category == category for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary without values: the categories and whether one is special."""
        return {
            "categories": sorted(self.categories),
            "special_category": bool(self.special_categories),
        }

    def __bool__(self) -> bool:
        return bool(self.findings)


_SPACE = r"\s+"
_OPTIONAL_HYPHEN = r"[-\s]?"
_WORD_END = r"\w*"
# Literal characters are tried before these, and ``\w*`` last.
_SPECIAL_ORDER = {_OPTIONAL_HYPHEN: 1, _SPACE: 2, _WORD_END: 3}


def _term_atoms(term: str) -> list[str]:
    """Regex atoms of one word-list entry (see the rules at the top of ``terms_nl.yml``)."""
    term = term.strip().lower()
    wildcard = term.endswith("*")
    atoms: list[str] = []
    for index, word in enumerate(term.rstrip("*").split()):
        if index:
            atoms.append(_SPACE)
        for char in word:
            atoms.append(_OPTIONAL_HYPHEN if char == "-" else re.escape(char))
    if wildcard:
        atoms.append(_WORD_END)
    return atoms


def _trie_regex(terms: Iterable[str]) -> str:
    """One regex for all terms, factored as a trie so each position is tried in linear time.

    Where a term is a prefix of a longer one, the longer one is tried first.
    """
    trie: dict[str, Any] = {}
    for term in terms:
        node = trie
        for atom in _term_atoms(term):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        terminal = "" in node
        children = sorted((atom for atom in node if atom), key=lambda a: (_SPECIAL_ORDER.get(a, 0), a))
        if not children:
            return ""
        branches = [atom + emit(node[atom]) for atom in children]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if terminal else body

    return emit(trie)


def _flatten(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)


@lru_cache(maxsize=4)
def load_terms(path: str = str(TERMS_FILE)) -> dict[str, tuple[str, ...]]:
    """Read the word lists: ``{"health": (...), "criminal": (...)}``."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {
        category: tuple(term for term in _flatten(data.get(category)) if term.strip().rstrip("*"))
        for category in (HEALTH, CRIMINAL)
    }


@lru_cache(maxsize=4)
def _term_regexes(path: str = str(TERMS_FILE)) -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    """Per category: a case-sensitive regex for lower-cased text and a case-insensitive one."""
    regexes = {}
    for category, terms in load_terms(path).items():
        if terms:
            source = r"(?<!\w)(?:" + _trie_regex(terms) + r")(?!\w)"
            regexes[category] = (re.compile(source), re.compile(source, re.IGNORECASE))
    return regexes


def _search_all(
    pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], tuple[int, int] | None]
) -> Iterator[tuple[int, int]]:
    """Yield accepted spans; a rejected candidate is retried one character further on."""
    pos = 0
    while True:
        match = pattern.search(text, pos)
        if match is None:
            return
        span = accept(match)
        if span is None:
            pos = match.start() + 1
        else:
            yield span
            pos = max(span[1], match.start() + 1)


def _whole(match: re.Match[str]) -> tuple[int, int]:
    return match.span()


_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _valid_bsn(match: re.Match[str]) -> tuple[int, int] | None:
    digits = match.group().replace(" ", "").replace(".", "").replace("-", "")
    # Cheap 11-check first (most candidates fail it); stdnum has the final word.
    if sum(w * int(d) for w, d in zip(_BSN_WEIGHTS, digits, strict=True)) % 11:
        return None
    return match.span() if _stdnum_bsn_valid(digits) else None


@lru_cache(maxsize=1024)
def _stdnum_bsn_valid(digits: str) -> bool:
    return stdnum_bsn.is_valid(digits)


_BBAN_CLASSES = {"n": "[0-9]", "a": "[A-Za-z]", "c": "[A-Za-z0-9]"}


@lru_cache(maxsize=1)
def _iban_registry() -> dict[str, tuple[int, re.Pattern[str]]]:
    """Per country code: IBAN length and a pattern of its exact format (optional separators).

    Read from python-stdnum's copy of the SWIFT IBAN registry (``stdnum/iban.dat``).
    """
    import stdnum

    registry: dict[str, tuple[int, re.Pattern[str]]] = {}
    text = Path(stdnum.__file__).with_name("iban.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        found = re.match(r'^([A-Z]{2}) .*bban="([^"]+)"', line)
        if not found:
            continue
        parts = re.findall(r"(\d+)!?([nac])", found[2])
        bban = [_BBAN_CLASSES[kind] for count, kind in parts for _ in range(int(count))]
        classes = ["[0-9]", "[0-9]", *bban]
        source = found[1] + "".join("[ .-]?" + cls for cls in classes)
        registry[found[1]] = (2 + len(classes), re.compile(source, re.IGNORECASE))
    return registry


def iban_lengths() -> dict[str, int]:
    """IBAN length per country code."""
    return {country: length for country, (length, _) in _iban_registry().items()}


def _valid_iban(match: re.Match[str]) -> tuple[int, int] | None:
    """The IBAN in the country's exact format and length at the candidate: one checksum at most."""
    entry = _iban_registry().get(match.group()[:2].upper())
    if entry is None:
        return None
    found = entry[1].match(match.string, match.start())
    if found is None:
        return None
    end = found.end()
    text = match.string
    if end < len(text) and text[end].isalnum():
        return None  # would cut a word in two
    compact = re.sub(r"[ .-]", "", found.group()).upper()
    return (match.start(), end) if _iban_checksum_ok(compact) else None


_IBAN_DIGITS = str.maketrans({c: str(ord(c) - 55) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})


def _iban_checksum_ok(compact: str) -> bool:
    """ISO 13616 mod-97 check (the format was already checked against the registry)."""
    digits = (compact[4:] + compact[:4]).translate(_IBAN_DIGITS)
    return digits.isdigit() and int(digits) % 97 == 1


def _valid_document_number(match: re.Match[str]) -> tuple[int, int] | None:
    value = match.group()
    # Lower-case words that happen to end in a digit are not document numbers.
    if len(_DIGIT.findall(value)) < 2 and not value.isupper():
        return None
    return match.span()


@lru_cache(maxsize=1)
def _detectors() -> list[tuple[str, Callable[[str], Iterable[tuple[int, int]]]]]:
    terms = _term_regexes()

    def regex(pattern: re.Pattern[str], accept: Callable = _whole, needle: str | None = None):
        def find(text: str) -> Iterable[tuple[int, int]]:
            if needle is not None and needle not in text:
                return ()
            return _search_all(pattern, text, accept)

        return find

    def phones(text: str) -> Iterator[tuple[int, int]]:
        yield from _search_all(_PHONE_NL, text, _whole)
        yield from _search_all(_PHONE_NL_MOBILE_BARE, text, _whole)
        if "+" in text:
            yield from _search_all(_PHONE_INTERNATIONAL, text, _whole)

    detectors: list[tuple[str, Callable[[str], Iterable[tuple[int, int]]]]] = [
        (TOKEN, regex(_JWT, needle="eyJ")),
        (EMAIL, regex(_EMAIL, needle="@")),
        (IBAN, regex(_IBAN, _valid_iban)),
        (PHONE, phones),
        (BSN, regex(_BSN, _valid_bsn)),
        (DOCUMENT_NUMBER, regex(_DOCUMENT_NUMBER, _valid_document_number)),
    ]

    def words(fast: re.Pattern[str], slow: re.Pattern[str]):
        def find(text: str) -> Iterable[tuple[int, int]]:
            lowered = text.lower()
            if len(lowered) == len(text):  # offsets stay the same: use the fast case-sensitive regex
                return (match.span() for match in fast.finditer(lowered))
            return (match.span() for match in slow.finditer(text))

        return find

    for category in (CRIMINAL, HEALTH):
        if category in terms:
            detectors.append((category, words(*terms[category])))
    return detectors


def scan(text: str | None) -> ScanResult:
    """Find personal and special-category data in ``text``.

    Overlapping findings are resolved by category priority (:data:`CATEGORIES`): an e-mail
    address that contains a health word is one ``email`` finding.

    Args:
        text: any text, e.g. a resident's message. ``None`` and non-text give an empty result.

    Returns:
        The findings in text order (categories and offsets, never the values).
    """
    if not text or not isinstance(text, str):
        return ScanResult()
    starts: list[int] = []
    accepted: list[Finding] = []
    for category, find in _detectors():
        for start, end in find(text):
            index = bisect.bisect_left(starts, start)
            if index > 0 and accepted[index - 1].end > start:
                continue  # overlaps the finding before it
            if index < len(starts) and starts[index] < end:
                continue  # overlaps the finding after it
            starts.insert(index, start)
            accepted.insert(index, Finding(category, start, end))
    return ScanResult(tuple(accepted))


def mask(text: str | None, keep: Iterable[str] = frozenset()) -> str:
    """Replace every finding in ``text`` with its placeholder (``[BSN]``, ``[GEZONDHEID]``, ...).

    Args:
        text: the text to mask.
        keep: categories to leave as they are (e.g. ``{"phone"}`` for a contact number).

    Returns:
        The masked text (``""`` for ``None``).
    """
    if not text:
        return text or ""
    keep = frozenset(keep)
    findings = [f for f in scan(text).findings if f.category not in keep]
    if not findings:
        return text
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.category])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def mask_data(value: Any, keep: Iterable[str] = frozenset()) -> Any:
    """Return a copy of ``value`` with every string inside (dict values, list items) masked.

    Dict keys, numbers, booleans and ``None`` are kept as they are.
    """
    keep = frozenset(keep)
    if isinstance(value, str):
        return mask(value, keep)
    if isinstance(value, dict):
        return {key: mask_data(item, keep) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(item, keep) for item in value]
    return value
