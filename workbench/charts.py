"""Figures of a check: per-intent F1 bars (before/after) and a matrix of only the confused intents."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402


def per_intent_f1(report: dict[str, Any]) -> dict[str, float]:
    """``{intent: f1}`` from Rasa's ``intent_report.json`` (averages left out)."""
    return {
        name: float(row["f1-score"])
        for name, row in report.items()
        if isinstance(row, dict) and "f1-score" in row and not name.endswith("avg")
    }


def confusion_pairs(errors: list[dict[str, Any]], top: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent (expected, predicted, count) confusions from ``intent_errors.json``."""
    pairs = collections.Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    return [(a, b, n) for (a, b), n in pairs.most_common(top)]


def f1_chart(after: dict[str, float], before: dict[str, float] | None, path: Path) -> None:
    """A horizontal bar chart of F1 per intent, the "before" bars beside the "after" ones."""
    names = sorted(after, key=lambda name: (after[name], name))
    height = max(4.0, 0.28 * len(names) + 1)
    figure, axis = plt.subplots(figsize=(8, height), dpi=100)
    positions = range(len(names))
    if before:
        axis.barh(
            [p + 0.2 for p in positions],
            [before.get(n, 0.0) for n in names],
            height=0.4,
            color="#9e9e9e",
            label="voor",
        )
        axis.barh(
            [p - 0.2 for p in positions], [after[n] for n in names], height=0.4, color="#00558c", label="na"
        )
        axis.legend(loc="lower right")
    else:
        axis.barh(list(positions), [after[n] for n in names], color="#00558c")
    axis.set_yticks(list(positions))
    axis.set_yticklabels(names, fontsize=8)
    axis.axvline(0.75, color="#b00020", linestyle="--", linewidth=1)
    axis.set_xlim(0, 1)
    axis.set_xlabel("F1 (rode lijn: ondergrens 0,75)")
    axis.set_title("F1 per intentie op de testset")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def confusion_chart(
    errors: list[dict[str, Any]], successes: list[dict[str, Any]], path: Path, limit: int = 12
) -> list[str]:
    """A confusion matrix of only the intents involved in confusions (at most ``limit``).

    Returns:
        The intents shown (empty: no confusions, no image written).
    """
    counts = collections.Counter()
    for e in errors:
        counts[e["intent"]] += 1
        counts[e["intent_prediction"]["name"]] += 1
    names = sorted(name for name, _ in counts.most_common(limit))
    if not names:
        return []
    index = {name: i for i, name in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for row in [*errors, *successes]:
        expected, predicted = row["intent"], row["intent_prediction"]["name"]
        if expected in index and predicted in index:
            matrix[index[expected]][index[predicted]] += 1
    size = max(4.0, 0.5 * len(names) + 2)
    figure, axis = plt.subplots(figsize=(size, size), dpi=100)
    axis.imshow(matrix, cmap="Blues")
    axis.set_xticks(range(len(names)))
    axis.set_yticks(range(len(names)))
    axis.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    axis.set_yticklabels(names, fontsize=8)
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                axis.text(
                    j,
                    i,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if value > top / 2 else "black",
                )
    axis.set_xlabel("voorspeld")
    axis.set_ylabel("verwacht")
    axis.set_title("Verwarde intenties")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return names
