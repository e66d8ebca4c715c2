"""Server-side SVG charts: coordinates computed here, drawn by a template macro; no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the week, for the title tooltip
    value: str


@dataclass(frozen=True)
class Chart:
    """A small chart: a line (None breaks it) or bars, with an optional marker (a fix shipped)."""

    kind: str  # "line" or "bars"
    width: int
    height: int
    label: str  # what the chart shows, for screen readers (the numbers are beside it)
    lines: list[str] = field(default_factory=list)  # polyline point lists
    dots: list[tuple[float, float]] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    marker: float | None = None
    marker_label: str = ""


def line_chart(values: Sequence[float | int | None], label: str, width: int = 132, height: int = 30) -> Chart:
    """A sparkline of weekly values; a week without data leaves a gap."""
    known = [float(v) for v in values if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    span = (high - low) or 1.0
    step = (width - 4) / max(1, len(values) - 1)
    lines, dots, run = list[str](), list[tuple[float, float]](), list[str]()
    for i, v in enumerate(values):
        if v is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        x, y = 2 + i * step, height - 3 - (float(v) - low) / span * (height - 6)
        run.append(f"{x:.1f},{y:.1f}")
        dots.append((round(x, 1), round(y, 1)))
    if run:
        lines.append(" ".join(run))
    return Chart("line", width, height, label, lines=lines, dots=dots)


def bar_chart(
    values: Sequence[int],
    labels: Sequence[str],
    label: str,
    marker: int | None = None,
    marker_label: str = "",
    width: int = 480,
    height: int = 140,
) -> Chart:
    """Weekly bars; `marker` is the index of the week a fix shipped."""
    top = max(values, default=0) or 1
    slot = width / max(1, len(values))
    bars = [
        Bar(
            round(i * slot + 2, 1),
            round(height - 16 - v / top * (height - 30), 1),
            round(slot - 4, 1),
            round(v / top * (height - 30), 1),
            labels[i],
            str(v),
        )
        for i, v in enumerate(values)
    ]
    at = None if marker is None else round(marker * slot + 1, 1)
    return Chart("bars", width, height, label, bars=bars, marker=at, marker_label=marker_label)
