"""One design-token file per municipality: the web chat's look (issue 18).

``webchat/themes/<municipality>.tokens.json`` holds design tokens in NL Design System naming
(Style Dictionary format: ``{"utrecht": {"link": {"color": {"value": "#154273"}}}}``). They become
CSS custom properties (``--utrecht-link-color: #154273``) served as ``/themes/<municipality>.css``;
``page.css`` and ``widget.css`` read only those properties. A municipality without its own file
gets ``default.tokens.json``, so a new municipality needs no theme to be served.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

THEMES_DIR = Path(__file__).resolve().parent / "themes"
DEFAULT_THEME = "default"
#: What a token value may hold (no ``;``, braces or ``<``: a token file cannot break out of CSS).
_VALUE = re.compile(r'^[#(),.%\s\w"\'-]+$')


def flatten(tokens: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, str]:
    """``{"a": {"b": {"value": "x"}}}`` -> ``{"--a-b": "x"}`` (keys starting with ``$`` skipped)."""
    found: dict[str, str] = {}
    for key, item in tokens.items():
        if key.startswith("$"):
            continue
        if isinstance(item, dict) and "value" in item:
            value = str(item["value"])
            if not _VALUE.match(value):
                raise ValueError(f"token {'-'.join((*prefix, key))}: value {value!r} is not allowed")
            found["--" + "-".join((*prefix, key))] = value
        elif isinstance(item, dict):
            found.update(flatten(item, (*prefix, key)))
    return found


def token_file(municipality: str) -> Path:
    """The municipality's token file, or the default one."""
    own = THEMES_DIR / f"{municipality}.tokens.json"
    return own if own.is_file() else THEMES_DIR / f"{DEFAULT_THEME}.tokens.json"


def tokens(municipality: str) -> dict[str, str]:
    """The flattened tokens of a municipality's theme."""
    return flatten(json.loads(token_file(municipality).read_text(encoding="utf-8")))


@lru_cache(maxsize=32)
def theme_css(municipality: str) -> str:
    """The theme as CSS custom properties on ``:root``."""
    lines = [f"  {name}: {value};" for name, value in tokens(municipality).items()]
    header = f"/* {token_file(municipality).name} (webchat/themes.py) */"
    return header + "\n:root {\n" + "\n".join(lines) + "\n}\n"
