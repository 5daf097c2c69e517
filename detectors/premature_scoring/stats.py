"""Summary statistics the detector records with each run (window lengths, result delays)."""

from __future__ import annotations

import statistics
from typing import Any


def distribution(values: list[float]) -> dict[str, Any]:
    """count, min, p10, median, p90, max (None when empty)."""
    if not values:
        return {"count": 0, "min": None, "p10": None, "median": None, "p90": None, "max": None}
    v = sorted(values)

    def pct(p: float) -> float:
        k = (len(v) - 1) * p
        lo = int(k)
        hi = min(lo + 1, len(v) - 1)
        return v[lo] + (v[hi] - v[lo]) * (k - lo)

    return {"count": len(v), "min": v[0], "p10": round(pct(0.1), 3), "median": round(statistics.median(v), 3),
            "p90": round(pct(0.9), 3), "max": v[-1]}
