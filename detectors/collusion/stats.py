"""Population statistics shared by the rules: quartiles and Tukey fences, concentration, robust z-scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Fence:
    """Tukey's upper fence Q3 + 1.5 * IQR over one population (Cardinal's convention for outlier indicators)."""

    n: int
    q1: float
    median: float
    q3: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def upper(self) -> float:
        return self.q3 + 1.5 * self.iqr

    def as_dict(self) -> dict[str, float | int]:
        return {"n": self.n, "q1": round(self.q1, 4), "median": round(self.median, 4), "q3": round(self.q3, 4),
                "iqr": round(self.iqr, 4), "upper_fence": round(self.upper, 4)}


def fence(values: Sequence[float]) -> Fence:
    arr = np.asarray(values, dtype=float)
    q1, med, q3 = np.percentile(arr, [25, 50, 75])
    return Fence(len(arr), float(q1), float(med), float(q3))


def herfindahl(counts: Sequence[int]) -> float:
    """Sum of squared shares, 1/k (even split over k) .. 1 (one organisation)."""
    total = sum(counts)
    return sum((c / total) ** 2 for c in counts) if total else 0.0


@dataclass(frozen=True)
class RobustScale:
    """Median and a robust spread: 1.4826 * MAD, falling back to IQR / 1.349, the standard deviation, then 1."""

    median: float
    scale: float

    def z(self, x: float) -> float:
        return (x - self.median) / self.scale


def robust_scale(values: np.ndarray, min_scale: float = 0.0) -> RobustScale:
    """Median and spread; the spread is at least ``min_scale`` (the smallest deviation that means anything)."""
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med))) * 1.4826
    if mad > 0:
        return RobustScale(med, max(mad, min_scale))
    q1, q3 = np.percentile(values, [25, 75])
    if q3 > q1:
        return RobustScale(med, max(float(q3 - q1) / 1.349, min_scale))
    sd = float(np.std(values))
    return RobustScale(med, max(sd if sd > 0 else 1.0, min_scale))
