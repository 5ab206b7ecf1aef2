"""The web chat's HTML pages, filled with one municipality's content (issue 18: one per page).

``webchat/static/index.html`` and ``privacy.html`` hold ``{{name}}`` placeholders; the values come
from the municipality content (``content/<municipality>.yml`` on the national base) and the settings
(retention period), HTML-escaped. ``/`` is the default municipality (``MUNICIPALITY``), ``/<name>/``
each municipality of ``content/municipalities.yml``. Nothing is read at import time; pages are
rendered once per app and municipality.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from actions.content import get_content
from actions.municipality import retention_overrides
from foundation.settings import Settings

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def page_values(settings: Settings, municipality: str | None = None, base_path: str = "") -> dict[str, str]:
    """Values for the page placeholders, from the content of ``municipality``.

    Args:
        settings: The settings (default municipality, retention period).
        municipality: The page's municipality (default: ``settings.municipality``).
        base_path: Where the municipality's pages live (``""`` for ``/``, ``"/proefdorp"``).
    """
    name = municipality or settings.municipality
    content = get_content(name)
    values = content.template_values()
    return {
        "municipality_id": name,
        "base_path": base_path,
        "official_name": content.official_name,
        "municipality_name": content.name,
        "privacy_email": values["privacy_email"],
        "postal_address": values["postal_address"],
        "website": values["website"],
        "phone": values["phone"],
        # the municipality's own period (issue 18: its content's retention section), else the setting
        "retention_days": str(
            retention_overrides(content.data).get("retention_days", settings.retention_days)
        ),
    }


def render(template: str, values: dict[str, str]) -> str:
    """Fill ``{{name}}`` placeholders with HTML-escaped values (unknown names raise ``KeyError``)."""
    return _PLACEHOLDER.sub(lambda m: html.escape(values[m[1]]), template)


def render_file(path: Path, settings: Settings, municipality: str | None = None, base_path: str = "") -> str:
    """Read one page template and fill it for ``municipality`` (default: the default one)."""
    return render(path.read_text(encoding="utf-8"), page_values(settings, municipality, base_path))
