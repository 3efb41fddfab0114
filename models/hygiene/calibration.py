"""Confidence that means what it says: a raw weight of evidence turned into the share of such
claims that were right on labelled sets, from the table in resources/hygiene/calibration.json
(fitted by ``python -m tests.benchmarks.calibrate``; isotonic, so more evidence never lowers
the confidence)."""

from __future__ import annotations

from bisect import bisect_right
from functools import cache

import numpy as np
from numpy.typing import NDArray

from resources import load_json


@cache
def _table(kind: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    points = load_json("hygiene/calibration.json")[kind]["points"]
    return tuple(float(raw) for raw, _ in points), tuple(float(share) for _, share in points)


def confidence(kind: str, raw: float) -> float:
    """The observed precision (0-100) of claims with this much evidence: the step of the
    table at or below ``raw`` ("duplicates" or "matching")."""
    raws, shares = _table(kind)
    at = bisect_right(raws, raw) - 1
    return shares[at] if at >= 0 else 0.0


def confidences(kind: str, raws: NDArray[np.float64]) -> NDArray[np.float64]:
    """``confidence`` of many raw weights at once."""
    steps, shares = _table(kind)
    at = np.searchsorted(np.array(steps), raws, side="right") - 1
    return np.where(at >= 0, np.array(shares)[np.maximum(at, 0)], 0.0)
