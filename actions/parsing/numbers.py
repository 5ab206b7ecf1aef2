"""Dutch number words in residents' answers, and Dutch number formatting.

The one table of small number words ("twee", "vieren" in "met z'n vieren"). Measurement phrases
("anderhalve meter") are read by :mod:`actions.measurements`.
"""

from __future__ import annotations

NUMBER_WORDS = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
}


def number_word(word: str, prefix: bool = False) -> int | None:
    """The value of a Dutch number word ("drie" -> 3); with ``prefix`` also "drieën", "vieren".

    "een" counts only as an exact word, never as a prefix ("eens", "eenvoudig").
    """
    word = word.lower()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if prefix:
        for name, value in sorted(NUMBER_WORDS.items(), key=lambda item: -len(item[0])):
            if value > 1 and word.startswith(name):
                return value
    return None


def format_number(value: float, decimals: int = 2) -> str:
    """Write a number the Dutch way: "1,50", "94"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return text.replace(".", ",")
