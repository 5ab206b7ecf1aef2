"""B1 checks on every resident-facing text: bubble length, jargon explained, real numbers.

Every domain response is rendered with the values of each municipality's content (products,
contacts, tree and dormer facts) and measured in words. A bubble longer than ``MAX_WORDS`` must be
split into several messages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from actions.content import clear_content_cache, get_content
from foundation.domain import read_domain
from foundation.settings import get_settings

DOMAIN = read_domain()
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
PLACEHOLDER = re.compile(r"{(\w+)}")
#: Longest bubble (words) a resident gets; longer texts are split into several messages.
MAX_WORDS = 72
MUNICIPALITIES = ("voorbeeldstad", "proefdorp")
#: Jargon -> words that explain it; every bubble that uses the term must also explain it.
JARGON = {
    "omgevingsplan": ("regels van de gemeente",),
    "aanslag": ("brief", "rekening"),
    "woz-waarde": ("waarde van uw huis",),
    "kwijtschelding": ("niet hoeft te betalen", "hoeft u niet te betalen", "niet te betalen"),
    "eigen bijdrage": ("zelf betaalt", "zelf betalen", "deel van de kosten"),
}


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("MUNICIPALITY", raising=False)
    get_settings.cache_clear()
    clear_content_cache()
    yield
    clear_content_cache()


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def value_sets(municipality: str) -> list[dict[str, str]]:
    """Template values a response can be filled with: general values plus each product's."""
    content = get_content(municipality)
    base = dict(content.template_values())
    tree = content.tree_ordinance
    base.update(
        tree_ordinance_source=tree["source"],
        tree_protected_list_url=tree.get("protected_list_url", content.contact["website"]),
        tree_threshold_circumference=str(tree.get("min_circumference_cm", "")),
        tree_threshold_diameter=str(tree.get("min_diameter_cm", "")),
        tree_circumference="120",
        omgevingsplan_note=content.dormer["omgevingsplan_note"],
    )
    sets = []
    for product in content.products.values():
        contact = content.social_contact(product.contact)
        values = {**base, **product.template_values()}
        values.update(
            contact_name=contact["name"], contact_phone=contact["phone"],
            contact_hours=contact["hours"], contact_email=contact["email"],
        )
        for index, more in enumerate(product.more):
            sets.append({**values, "more": more, "step": str(index)})
        sets.append(values)
    return sets


def rendered(municipality: str) -> list[tuple[str, str]]:
    """(response name, text) for every response variant filled with every value set."""
    out = []
    sets = value_sets(municipality)
    for name, variants in RESPONSES.items():
        for variant in variants:
            text = str(variant.get("text") or "")
            keys = set(PLACEHOLDER.findall(text))
            if not keys:
                out.append((name, text))
                continue
            seen = set()
            for values in sets:
                filled = PLACEHOLDER.sub(lambda m, v=values: v.get(m[1], "x"), text)
                if filled not in seen:
                    seen.add(filled)
                    out.append((name, filled))
    return out


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
def test_every_bubble_is_short_enough(municipality: str) -> None:
    too_long = sorted(
        {(words(text), name) for name, text in rendered(municipality) if words(text) > MAX_WORDS},
        reverse=True,
    )
    assert not too_long, f"bubbles over {MAX_WORDS} words (words, response): {too_long}"


def content_texts(municipality: str) -> list[tuple[str, str]]:
    content = get_content(municipality)
    out = []
    for product in content.products.values():
        for field in ("explanation", "costs", "processing_time", "next_step"):
            out.append((f"{product.key}.{field}", getattr(product, field)))
        out += [(f"{product.key}.more", m) for m in product.more]
    out.append(("dormer.omgevingsplan_note", content.dormer["omgevingsplan_note"]))
    return out


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
def test_jargon_is_explained_where_it_is_used(municipality: str) -> None:
    unexplained = []
    for name, text in [*rendered(municipality), *content_texts(municipality)]:
        lower = text.lower()
        for term, explanations in JARGON.items():
            if re.search(rf"\b{re.escape(term)}\b", lower) and not any(e in lower for e in explanations):
                unexplained.append((name, term))
    assert not unexplained, sorted(set(unexplained))


def test_no_phone_riddle_and_the_default_answer_has_the_real_number() -> None:
    for name, variants in RESPONSES.items():
        for variant in variants:
            assert "netnummer" not in variant.get("text", ""), name
    default = RESPONSES["utter_default"][0]["text"]
    assert re.search(r"{municipality_phone}|{phone}", default)
    slot = DOMAIN["slots"]["municipality_phone"]
    assert slot["type"] == "text"


async def test_session_start_sets_the_phone_slot(make_tracker, dispatcher) -> None:
    from actions.conversation import ActionSessionStart

    events = await ActionSessionStart().run(dispatcher, make_tracker(), DOMAIN)
    phone = [e for e in events if e.get("event") == "slot" and e.get("name") == "municipality_phone"]
    assert phone and phone[0]["value"] == get_content().contact["phone"]


def test_english_answer_gives_a_number_and_a_website() -> None:
    text = RESPONSES["utter_english"][0]["text"]
    assert "{phone}" in text and "{website}" in text
