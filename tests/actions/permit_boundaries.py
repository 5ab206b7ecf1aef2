"""Boundary cases of every permit rule, with the verdict the reference gives (both sides of each limit).

Reference: shared/reference/permit-rules.md. "At most 1.75 m" includes 1.75; "more than 0.5 m"
excludes 0.5; "less than 1 m" excludes 1; a tree "of at least 31 cm" includes 31. Used by
tests/actions/test_permit_rules.py and scripts/permit_boundary_report.py (before/after figures).
"""

from __future__ import annotations

import math

FREE, REQUIRED = "permit_free", "permit_required"

#: (slot, metres, expected verdict) for a dormer that meets every other condition.
DORMER_BOUNDARIES: list[tuple[str, float, str]] = [
    # height: at most 1.75 m
    ("dormer_height", 1.50, FREE),
    ("dormer_height", 1.70, FREE),
    ("dormer_height", 1.74, FREE),
    ("dormer_height", 1.75, FREE),
    ("dormer_height", 1.76, REQUIRED),
    ("dormer_height", 1.80, REQUIRED),
    ("dormer_height", 2.00, REQUIRED),
    # eaves: more than 0.5 m and less than 1 m
    ("dormer_eaves_distance", 0.00, REQUIRED),
    ("dormer_eaves_distance", 0.45, REQUIRED),
    ("dormer_eaves_distance", 0.49, REQUIRED),
    ("dormer_eaves_distance", 0.50, REQUIRED),
    ("dormer_eaves_distance", 0.51, FREE),
    ("dormer_eaves_distance", 0.55, FREE),
    ("dormer_eaves_distance", 0.75, FREE),
    ("dormer_eaves_distance", 0.95, FREE),
    ("dormer_eaves_distance", 0.99, FREE),
    ("dormer_eaves_distance", 1.00, REQUIRED),
    ("dormer_eaves_distance", 1.01, REQUIRED),
    ("dormer_eaves_distance", 1.05, REQUIRED),
    # ridge: more than 0.5 m below the ridge
    ("dormer_ridge_distance", 0.00, REQUIRED),
    ("dormer_ridge_distance", 0.45, REQUIRED),
    ("dormer_ridge_distance", 0.50, REQUIRED),
    ("dormer_ridge_distance", 0.51, FREE),
    ("dormer_ridge_distance", 0.55, FREE),
    # sides: more than 0.5 m from the sides of the roof slope
    ("dormer_side_distance", 0.00, REQUIRED),
    ("dormer_side_distance", 0.45, REQUIRED),
    ("dormer_side_distance", 0.50, REQUIRED),
    ("dormer_side_distance", 0.51, FREE),
    ("dormer_side_distance", 0.55, FREE),
]

#: (municipality, circumference cm at 1.30 m, expected verdict) for an own, unprotected tree.
TREE_BOUNDARIES: list[tuple[str, float, str]] = [
    # Voorbeeldstad: at least 31 cm circumference (or 10 cm diameter = 31.4 cm): from 31 cm.
    ("voorbeeldstad", 25.0, FREE),
    ("voorbeeldstad", 29.5, FREE),
    ("voorbeeldstad", 30.0, FREE),
    ("voorbeeldstad", 30.9, FREE),
    ("voorbeeldstad", 31.0, REQUIRED),
    ("voorbeeldstad", 31.1, REQUIRED),
    ("voorbeeldstad", 32.0, REQUIRED),
    ("voorbeeldstad", math.pi * 9.8, FREE),
    ("voorbeeldstad", math.pi * 10, REQUIRED),
    # Proefdorp: at least 94 cm circumference (or 30 cm diameter = 94.2 cm): from 94 cm.
    ("proefdorp", 85.0, FREE),
    ("proefdorp", 89.0, FREE),
    ("proefdorp", 93.0, FREE),
    ("proefdorp", 93.9, FREE),
    ("proefdorp", 94.0, REQUIRED),
    ("proefdorp", 95.0, REQUIRED),
    ("proefdorp", 99.0, REQUIRED),
    ("proefdorp", math.pi * 29.9, FREE),
    ("proefdorp", math.pi * 30, REQUIRED),
    # Lindeoord (issue 18): at least 79 cm circumference or 25 cm diameter (= 78.5 cm): from 78.5 cm.
    ("lindeoord", 70.0, FREE),
    ("lindeoord", 78.5, FREE),
    ("lindeoord", math.pi * 25, REQUIRED),
    ("lindeoord", 79.0, REQUIRED),
    ("lindeoord", 85.0, REQUIRED),
]

#: (width as a share of the roof, expected verdict) for a front dormer in Proefdorp (at most half).
FRONT_WIDTH_BOUNDARIES: list[tuple[float, str]] = [
    (0.25, FREE),
    (0.49, FREE),
    (0.50, FREE),
    (0.51, REQUIRED),
    (1.00, REQUIRED),
]
