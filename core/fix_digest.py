"""The digest's "fixes" section: fix issues filed, fixes shipped, fixes that held and fixes that regressed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from core.causes import Cause, FixStatus
from core.periods import Period

WATCH = timedelta(weeks=4)  # core.fix_watch watches a fix this long; surviving it is "held"


@dataclass(frozen=True)
class FixNews:
    """Causes whose fix was filed, shipped, held or regressed in the period, as (key, title) pairs."""

    filed: list[tuple[str, str]] = field(default_factory=list)
    shipped: list[tuple[str, str]] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    regressed: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        """JSON-able: each list of {key, title}."""
        return {name: [{"key": k, "title": t} for k, t in getattr(self, name)]
                for name in ("filed", "shipped", "held", "regressed")}


def fix_news(causes: Sequence[Cause], p: Period) -> FixNews:
    """What happened to fixes in P; held = the four-week watch ended in P without a regression."""
    def pick(test: Callable[[Cause], bool]) -> list[tuple[str, str]]:
        return sorted((c.key, c.title) for c in causes if test(c))

    return FixNews(
        filed=pick(lambda c: p.contains(c.fix_filed_at)),
        shipped=pick(lambda c: p.contains(c.fix_shipped_at)),
        held=pick(lambda c: c.fix_status == FixStatus.SHIPPED and c.fix_shipped_at is not None
                  and p.contains(c.fix_shipped_at + WATCH)),
        regressed=pick(lambda c: p.contains(c.fix_regressed_at)),
    )


def fix_news_text(news: FixNews) -> list[str]:
    """The section as text lines."""
    out = ["", "Fixes:"]
    for name in ("filed", "shipped", "held", "regressed"):
        items = getattr(news, name)
        out.append(f"  {name}: {len(items)}" + (f" ({', '.join(k for k, _ in items)})" if items else ""))
    return out
