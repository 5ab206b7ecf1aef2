"""The web chat's HTML pages, filled with the municipality of the ``MUNICIPALITY`` setting.

``webchat/static/index.html`` and ``privacy.html`` hold ``{{name}}`` placeholders; the values come
from the municipality content (``content/<municipality>.yml``) and the settings (retention period),
HTML-escaped. Nothing is read at import time; pages are rendered once per app.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from actions.content import get_content
from foundation.settings import Settings

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def page_values(settings: Settings) -> dict[str, str]:
    """Values for the page placeholders, from the content of ``settings.municipality``."""
    content = get_content(settings.municipality)
    values = content.template_values()
    return {
        "official_name": content.official_name,
        "municipality_name": content.name,
        "privacy_email": values["privacy_email"],
        "postal_address": values["postal_address"],
        "website": values["website"],
        "phone": values["phone"],
        "retention_days": str(settings.retention_days),
    }


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders with HTML-escaped values (unknown names raise ``KeyError``)."""
    return _PLACEHOLDER.sub(lambda m: html.escape(values[m[1]]), template)


def render_file(path: Path, settings: Settings) -> str:
    """Read one page template and fill it."""
    return render(path.read_text(encoding="utf-8"), page_values(settings))
