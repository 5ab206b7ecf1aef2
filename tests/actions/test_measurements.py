"""Tests of actions/measurements.py: Dutch lengths and trunk sizes."""

from __future__ import annotations

import math

import pytest

from actions.measurements import (
    CIRCUMFERENCE,
    DIAMETER,
    MeasurementError,
    circumference_from_diameter,
    diameter_from_circumference,
    normalise_number_words,
    parse_length_m,
    parse_trunk,
)


@pytest.mark.parametrize(
    ("text", "metres"),
    [
        ("1,50 m", 1.5),
        ("1.75 m hoog", 1.75),
        ("150 cm", 1.5),
        ("150 centimeter", 1.5),
        ("2 meter", 2.0),
        ("anderhalve meter", 1.5),
        ("een halve meter", 0.5),
        ("een meter", 1.0),
        ("twee en een halve meter", 2.5),
        ("tweeënhalve meter", 2.5),
        ("vijfenzeventig centimeter", 0.75),
        ("1m50", 1.5),
        ("1 meter 20", 1.2),
        ("ongeveer 60cm", 0.6),
        ("1,5", 1.5),  # a bare number below 5 is metres
        ("150", 1.5),  # a bare number from 10 is centimetres
        ("800 mm", 0.8),
    ],
)
def test_parse_length_m(text: str, metres: float) -> None:
    assert parse_length_m(text) == pytest.approx(metres)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-5", "negative"),
        ("min 5 cm", "negative"),
        ("veel", "no_number"),
        ("", "no_number"),
        ("7", "no_unit"),
        ("0 cm", "zero"),
    ],
)
def test_parse_length_m_rejects(text: str, code: str) -> None:
    with pytest.raises(MeasurementError) as error:
        parse_length_m(text)
    assert error.value.code == code


def test_een_is_only_a_number_before_a_unit() -> None:
    assert normalise_number_words("een boom van een meter") == "een boom van 1 meter"


@pytest.mark.parametrize(
    ("text", "circumference", "given_as"),
    [
        ("80 cm omtrek", 80.0, CIRCUMFERENCE),
        ("de omtrek is 95 centimeter", 95.0, CIRCUMFERENCE),
        ("ongeveer een halve meter rond", 50.0, CIRCUMFERENCE),
        ("1 meter rond", 100.0, CIRCUMFERENCE),
        ("80 cm om", 80.0, CIRCUMFERENCE),
        ("doorsnede 30 cm", math.pi * 30, DIAMETER),
        ("diameter 0,3 m", math.pi * 30, DIAMETER),
        ("de stam is zo'n 20 centimeter dik", math.pi * 20, DIAMETER),
        ("80 cm", 80.0, CIRCUMFERENCE),  # what the question asks for
        ("80", 80.0, CIRCUMFERENCE),  # a bare number is cm
        ("op 1,30 m hoogte is hij 80 cm om", 80.0, CIRCUMFERENCE),
        ("twee stammen, de dikste is 60 cm omtrek", 60.0, CIRCUMFERENCE),
    ],
)
def test_parse_trunk(text: str, circumference: float, given_as: str) -> None:
    size = parse_trunk(text)
    assert size.circumference_cm == pytest.approx(circumference)
    assert size.given_as == given_as
    assert size.diameter_cm == pytest.approx(circumference / math.pi)


@pytest.mark.parametrize(
    ("text", "code"), [("-5", "negative"), ("veel", "no_number"), ("heel dik", "no_number"), ("2", "no_unit")]
)
def test_parse_trunk_rejects(text: str, code: str) -> None:
    with pytest.raises(MeasurementError) as error:
        parse_trunk(text)
    assert error.value.code == code


def test_conversions() -> None:
    assert circumference_from_diameter(10) == pytest.approx(31.4159, abs=1e-3)
    assert diameter_from_circumference(94.2478) == pytest.approx(30.0, abs=1e-3)
