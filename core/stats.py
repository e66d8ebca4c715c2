"""Small statistics for the KPIs: ratios, means, medians and p90 by linear interpolation, spreads.

Every function returns None when there is nothing to count, because DESIGN.md wants "no data",
never a misleading 0.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def ratio(part: float, whole: float) -> float | None:
    """part / whole, or None when the denominator is zero."""
    return part / whole if whole else None


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return statistics.fmean(values) if values else None


def median(values: Sequence[float]) -> float | None:
    """The median (linear interpolation between the two middle ranks), or None for no values."""
    return float(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile, interpolated linearly between ranks like numpy's default, or None."""
    if not values:
        return None
    if len(values) == 1:
        # statistics.quantiles needs two points on Python 3.11; one point is its own percentile.
        return float(values[0])
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def pstdev(values: Sequence[float]) -> float | None:
    """The population standard deviation (0.0 for a single value), or None for no values."""
    return statistics.pstdev(values) if values else None
