"""Detection and masking of personal and special-category data (privacy/detect.py)."""

from __future__ import annotations

import pytest

from privacy.detect import CATEGORIES, PLACEHOLDERS, ScanResult, load_terms, mask, mask_data, scan

VALID_BSN = "123456782"
INVALID_BSN = "123456789"  # fails the 11-check
VALID_IBAN = "NL91ABNA0417164300"
INVALID_IBAN = "NL91ABNA0417164301"  # wrong checksum


@pytest.mark.parametrize(
    "text",
    [
        f"mijn bsn is {VALID_BSN}",
        "BSN: 1234.56.782",
        "bsn 123 456 782",
        "burgerservicenummer 999993653.",
        "111222333 is mijn nummer",
    ],
)
def test_valid_bsn_is_found(text):
    result = scan(text)
    assert result.categories == {"bsn"}
    assert mask(text).count("[BSN]") == 1


@pytest.mark.parametrize(
    "text",
    [f"mijn nummer is {INVALID_BSN}", "bel 1234567890", "12345678", "zaak 2024-000123", "1234567821"],
)
def test_numbers_failing_the_11_check_or_length_are_not_a_bsn(text):
    assert "bsn" not in scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        VALID_IBAN,
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "rekening DE89 3704 0044 0532 0130 00 graag",
    ],
)
def test_valid_iban_is_found(text):
    assert scan(text).categories == {"iban"}
    assert "[IBAN]" in mask(text)
    assert "0417" not in mask(text) and "0532" not in mask(text)


def test_iban_followed_by_words_is_masked_exactly():
    assert mask("NL91 ABNA 0417 1643 00 is van mij") == "[IBAN] is van mij"


def test_invalid_iban_checksum_is_not_an_iban():
    assert "iban" not in scan(f"rekening {INVALID_IBAN}").categories


@pytest.mark.parametrize(
    "text",
    [
        "bel mij op 06-12345678",
        "0612345678",
        "06 12 34 56 78",
        "+31 6 12345678",
        "+31612345678",
        "0031 20 123 4567",
        "(020) 123 45 67",
        "020-1234567",
        "+31 (0)6 1234 5678",
        "+32 470 12 34 56",
        "whatsapp 31612345678",
    ],
)
def test_phone_numbers_are_found(text):
    assert scan(text).categories == {"phone"}
    assert "[TELEFOON]" in mask(text)


@pytest.mark.parametrize(
    "text", ["bel 14 0999", "06-1234567", "om 10.30 uur", "postcode 1234 AB", "€ 1.234,56"]
)
def test_short_numbers_are_not_phone_numbers(text):
    assert "phone" not in scan(text).categories


@pytest.mark.parametrize("text", ["jan.jansen@example.nl", "mail J.de-Vries+chat@mail.voorbeeld.example."])
def test_email_is_found(text):
    assert scan(text).categories == {"email"}
    assert "[E-MAIL]" in mask(text)
    assert "@" not in mask(text)


def test_email_wins_over_words_inside_it():
    assert mask("diabetes@example.nl") == "[E-MAIL]"


@pytest.mark.parametrize("text", ["paspoort NW92K45L1", "documentnummer SPECI2014", "id-kaart ix12ab345"])
def test_document_numbers_are_found(text):
    assert scan(text).categories == {"document_number"}
    assert "[DOCUMENTNUMMER]" in mask(text)


@pytest.mark.parametrize("text", ["NO92K45L1", "abcdefgh1", "NW92K45L", "NW92K45L12"])
def test_not_document_numbers(text):
    assert "document_number" not in scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "ik gebruik oxazepam",
        "ik spuit insuline",
        "ik slik Metformine",
        "ik gebruik antidepressiva",
        "ik heb diabetes",
        "ik heb een depressie",
        "mijn vader heeft dementie",
        "ik heb kanker",
        "ik zit thuis met een burn-out",
        "ik heb een burn out",
        "ik heb een verslaving",
        "hij had een psychose",
        "ik ben bij de GGZ",
    ],
)
def test_health_information_is_found(text):
    result = scan(text)
    assert result.categories == {"health"}
    assert result.special_categories == {"health"}
    assert "[GEZONDHEID]" in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik heb een strafblad",
        "ik ben veroordeeld voor diefstal",
        "ik heb een taakstraf gekregen",
        "ik heb in de gevangenis gezeten",
        "mijn zoon heeft gevangenis gezeten",
        "ik heb contact met de reclassering",
        "ik draag een enkelband",
    ],
)
def test_criminal_information_is_found(text):
    result = scan(text)
    assert result.categories == {"criminal"}
    assert "[STRAFRECHT]" in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik wil mijn paspoort verlengen",
        "postcode 1234 AB",
        "wanneer wordt het grofvuil opgehaald",
        "waar lever ik oude medicijnen in",
        "ik wil een VOG aanvragen",
        "stuur mij een bericht als mijn paspoort verloopt",
        "ik wil een afspraak op 12-03-2025 om 10.30 uur",
        "wat kost een parkeervergunning",
        "de lantaarnpaal bij huisnummer 12 is kapot",
        "mijn zaaknummer is Z-2024-000123",
        "hoeveel bijstand krijg ik als alleenstaande",
        "wanneer is het gemeentehuis open",
        "ik heb een boete voor parkeren gekregen",
    ],
)
def test_normal_questions_have_no_findings(text):
    assert scan(text).categories == frozenset()
    assert mask(text) == text


def test_scan_result_holds_categories_and_spans_but_no_values():
    text = f"bsn {VALID_BSN}, mail a@b.nl, ik heb diabetes"
    result = scan(text)
    assert result.categories == {"bsn", "email", "health"}
    assert [text[start:end] for start, end in result.spans] == [VALID_BSN, "a@b.nl", "diabetes"]
    summary = result.to_dict()
    assert summary == {"categories": ["bsn", "email", "health"], "special_category": True}
    assert VALID_BSN not in repr(summary)


def test_empty_and_none_input():
    assert scan("") == ScanResult()
    assert scan(None).categories == frozenset()
    assert not scan("hallo")
    assert mask(None) == ""
    assert mask("") == ""


def test_mask_replaces_every_finding_and_keeps_the_rest():
    text = f"Ik ben Jan, bsn {VALID_BSN}, bel 06-12345678 of mail jan@example.nl. Ik gebruik oxazepam."
    assert mask(text) == "Ik ben Jan, bsn [BSN], bel [TELEFOON] of mail [E-MAIL]. Ik gebruik [GEZONDHEID]."


def test_mask_keep_leaves_chosen_categories():
    text = f"bel 0612345678, bsn {VALID_BSN}"
    assert mask(text, keep={"phone"}) == "bel 0612345678, bsn [BSN]"
    assert mask(text, keep=frozenset(CATEGORIES)) == text


def test_every_category_has_a_placeholder():
    assert set(PLACEHOLDERS) == set(CATEGORIES)


def test_mask_data_masks_nested_strings_only():
    data = {"a": [f"bsn {VALID_BSN}", 3, None], "b": {"c": "diabetes"}, VALID_BSN: True}
    assert mask_data(data) == {"a": ["bsn [BSN]", 3, None], "b": {"c": "[GEZONDHEID]"}, VALID_BSN: True}


def test_word_lists_come_from_the_data_file():
    terms = load_terms()
    assert "oxazepam" in terms["health"]
    assert "strafblad" in terms["criminal"]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 300_000,
        "1 " * 150_000,
        "a@" * 100_000,
        "x." * 150_000 + "@",
        "+3" * 100_000,
        "NL12" * 50_000,
        "0" * 300_000,
    ],
)
def test_huge_adversarial_input_is_handled(text):
    # Must finish (linear patterns); nothing in these strings is personal data.
    assert scan(text).categories == frozenset()


def test_huge_input_with_findings_is_masked_completely():
    text = f"ik heb diabetes en bsn {VALID_BSN}. " * 5000
    masked = mask(text)
    assert VALID_BSN not in masked and "diabetes" not in masked
    assert masked.count("[BSN]") == 5000
