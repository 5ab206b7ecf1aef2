"""Phone numbers and e-mail addresses in residents' answers (the one reader of both)."""

from __future__ import annotations

import re

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}$"
)
_EMAIL_FIND = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_PHONE_CHARS = re.compile(r"^[\d\s().+-]+$")
_PHONE_FIND = re.compile(r"(?:\+\s?31|\b0031|\b0)[\d\s().-]{8,16}\d")


def normalise_phone(text: str) -> str | None:
    """Validate a Dutch phone number and return it as ``+31XXXXXXXXX``, else ``None``.

    Accepts ``06-12345678``, ``06 1234 5678``, ``020 123 4567``, ``(020) 1234567``, ``+31 6 12345678``,
    ``+31 (0)6 12345678`` and ``0031 6 12345678``. Rejects numbers of the wrong length, service
    numbers (0800/0900/090x), machine numbers (097) and anything with letters.
    """
    candidate = text.strip().rstrip(".")
    if not candidate or not _PHONE_CHARS.match(candidate):
        return None
    compact = candidate.replace("(0)", "")
    digits = re.sub(r"\D", "", compact)
    if compact.lstrip().startswith("+"):
        if not digits.startswith("31"):
            return None
        national = digits[2:]
    elif digits.startswith("0031"):
        national = digits[4:]
    elif digits.startswith("0") and not digits.startswith("00"):
        national = digits[1:]
    else:
        return None
    if len(national) != 9 or national[0] == "0":
        return None
    if national.startswith(("800", "900", "906", "909", "97")):
        return None
    return "+31" + national


def find_phone(text: str) -> str | None:
    """The first valid Dutch phone number inside ``text`` ("bel me op 06-12345678") as ``+31...``."""
    whole = normalise_phone(text)
    if whole:
        return whole
    for match in _PHONE_FIND.finditer(text):
        candidate = match[0]
        # try the longest run first, then shorter ones (a number followed by other digits)
        for end in range(len(candidate), 9, -1):
            value = normalise_phone(candidate[:end])
            if value:
                return value
    return None


def display_phone(e164: str) -> str:
    """``+31612345678`` -> ``06 12345678`` (how residents write it)."""
    national = "0" + e164[3:]
    return f"{national[:2]} {national[2:]}" if national.startswith("06") else f"{national[:3]} {national[3:]}"


def find_email(text: str) -> str | None:
    """The first valid e-mail address in ``text`` (domain part lower-cased), else ``None``."""
    for match in _EMAIL_FIND.finditer(text.strip()):
        address = match.group(0).rstrip(".")
        if not _EMAIL_RE.match(address) or ".." in address:
            continue
        local, domain = address.rsplit("@", 1)
        return f"{local}@{domain.lower()}"
    return None
