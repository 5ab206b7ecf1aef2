"""Each municipality's design-token file (webchat/themes.py, issue 18)."""

from __future__ import annotations

import pytest

from actions.municipality import get_deployment
from webchat.themes import THEMES_DIR, flatten, theme_css, token_file, tokens

#: Text colour on background colour pairs of the page and the widget (token names).
PAIRS = [
    ("--utrecht-document-color", "--utrecht-document-background-color"),
    ("--utrecht-link-color", "--utrecht-document-background-color"),
    ("--utrecht-page-header-color", "--utrecht-page-header-background-color"),
    ("--utrecht-button-primary-action-color", "--utrecht-button-primary-action-background-color"),
    ("--utrecht-button-primary-action-color", "--utrecht-button-primary-action-hover-background-color"),
    ("--utrecht-button-secondary-action-color", "--utrecht-button-secondary-action-background-color"),
    (
        "--utrecht-button-secondary-action-hover-color",
        "--utrecht-button-secondary-action-hover-background-color",
    ),
    ("--utrecht-link-hover-color", "--utrecht-document-background-color"),
    ("--utrecht-textbox-color", "--utrecht-textbox-background-color"),
]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", [*get_deployment().names, "default"])
def test_every_theme_meets_wcag_aa_contrast(name: str) -> None:
    values = tokens(name)
    for text, background in PAIRS:
        assert contrast(values[text], values[background]) >= 4.5, (name, text, background)


def test_each_served_municipality_has_its_own_look() -> None:
    names = get_deployment().names
    assert all(token_file(n).name == f"{n}.tokens.json" for n in names)
    assert len({tokens(n)["--utrecht-page-header-background-color"] for n in names}) == len(names)


def test_a_municipality_without_a_token_file_gets_the_default_theme() -> None:
    assert token_file("heidebeek") == THEMES_DIR / "default.tokens.json"
    assert theme_css("heidebeek").startswith("/* default.tokens.json")


def test_a_token_value_cannot_break_out_of_the_css() -> None:
    with pytest.raises(ValueError):
        flatten({"utrecht": {"link": {"color": {"value": "red;} body{display:none"}}}})
