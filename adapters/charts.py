"""The digest's 12-week trend chart as a PNG (matplotlib, Agg: no display needed on a server)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # before pyplot: servers and CI have no display

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

from core.digests import TrendPoint  # noqa: E402

BOT, HUMAN, FIXED, REPEAT = "#2a9d8f", "#8d99ae", "#e76f51", "#264653"


def _nan(value: float | None) -> float:
    """None (no data) as NaN, so the line shows a gap rather than a false zero."""
    return math.nan if value is None else float(value)


def render_trend_png(points: Sequence[TrendPoint], timezone: str = "UTC", dpi: int = 110) -> bytes:
    """Weekly volume split bot-deflected / human-handled, tickets prevented by fixes, repeat-cause rate."""
    zone = ZoneInfo(timezone)
    labels = [p.start.astimezone(zone).strftime("%d %b") for p in points]
    x = range(len(points))
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 6.2), sharex=True, gridspec_kw={"height_ratios": [3, 2]}, layout="constrained"
    )
    try:
        _volume(top, x, points)
        _repeat(bottom, x, points)
        bottom.set_xticks(list(x), labels, rotation=0, fontsize=8)
        bottom.set_xlabel(f"Week starting (Monday, {timezone})")
        fig.suptitle("Fixloop: support health over the last 12 weeks", fontsize=13, fontweight="bold")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()
    finally:
        plt.close(fig)  # pyplot keeps figures alive otherwise: a leak in a long-running server


def _volume(ax: Axes, x: range, points: Sequence[TrendPoint]) -> None:
    bot = [p.bot_deflected for p in points]
    human = [p.human_handled for p in points]
    ax.bar(x, bot, color=BOT, label="Solved by an article (bot-deflected)")
    ax.bar(x, human, bottom=bot, color=HUMAN, label="Handled by people (incl. still open)")
    prevented = [_nan(p.prevented) for p in points]
    ax.plot(x, prevented, color=FIXED, marker="o", linewidth=2.2, label="Prevented by shipped fixes (est.)")
    ax.set_ylabel("Tickets per week")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Weekly volume and tickets prevented by root-cause fixes", fontsize=10, loc="left")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(0, max([1.0] + [b + h for b, h in zip(bot, human, strict=True)] + _finite(prevented)) * 1.3)


def _repeat(ax: Axes, x: range, points: Sequence[TrendPoint]) -> None:
    rates = [_nan(p.repeat_cause_rate) for p in points]
    ax.plot(x, rates, color=REPEAT, marker="o", linewidth=2.2, label="Repeat-cause rate (lower is better)")
    for i, r in zip(x, rates, strict=True):
        if math.isnan(r):
            ax.annotate("no data", (i, 0.02), ha="center", fontsize=7, color="grey")
        else:
            ax.annotate(f"{r:.0%}", (i, r), textcoords="offset points", xytext=(0, 6), ha="center", size=7)
    ax.set_ylim(0, 1.22)  # headroom above 100% for the value labels and the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("Share of caused tickets")
    ax.set_title("Repeat-cause rate: tickets whose cause also hit last week", fontsize=10, loc="left")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax.grid(axis="y", alpha=0.3)


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if not math.isnan(v)]
