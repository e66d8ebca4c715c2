"""Adaptive Cards of fixes in trackers: File fix issue buttons, the fix-shipped news, the digest section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.teams.cards import Card, Element, card, cut, submit, text
from adapters.teams.escape import md
from adapters.teams.ids import Action
from core.causes import FixStatus, RankedCause

NEWS = ("fix_shipped_team", "fix_regressed", "fix_still_happening")  # notices whose text names a cause


def file_fix_actions(ranked: Sequence[RankedCause], limit: int = 5) -> list[Element]:
    """One File fix issue button per listed cause that has no fix yet."""
    return [submit(cut(f"File fix issue: {r.cause.key}", 60), Action.FILE_FIX, ticket=r.cause.key)
            for r in ranked[:limit] if r.cause.fix_status == FixStatus.NONE]


def news(value: str) -> Card:
    """A fix notice to a team's channel; the cause's title in it is inert."""
    return card(text(md(value)))


def fix_shipped(ticket_id: str, news: str, data: dict[str, Any]) -> Card:
    """The requester's news that the fix shipped, with That solved it / Still happening."""
    title = str(data.get("title") or "")
    return card(
        text(md(news)),
        *([text(md(cut(title, 200)), isSubtle=True)] if title else []),
        actions=[submit("That solved it", Action.FIX_SOLVED, "positive", ticket=ticket_id),
                 submit("Still happening", Action.FIX_STILL, ticket=ticket_id)],
    )


def fixes_section(fixes: dict[str, list[dict[str, str]]] | None) -> list[Element]:
    """The digest's fixes: filed, shipped, held, regressed in the week."""
    if not fixes:
        return []
    lines = []
    for name in ("filed", "shipped", "held", "regressed"):
        items = fixes.get(name) or []
        names = ", ".join(md(cut(i["title"], 80)) for i in items[:5])
        lines.append(f"- **{name}**: {len(items)}" + (f" ({names})" if names else ""))
    return [text("**Fixes**", spacing="Large"), text("\n".join(lines))]
