"""Block Kit of fixes in trackers: File fix issue buttons, the fix-shipped news, the digest section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.blocks import Blocks, actions, button, cut, esc, section
from adapters.slack.forms import Ref
from adapters.slack.ids import Action
from core.causes import FixStatus, RankedCause


def file_fix_button(ref: Ref) -> dict[str, Any]:
    """The File fix issue button (the cause named by key, or by a ticket of it)."""
    return button("File fix issue", Action.FILE_FIX, ref)


def file_fix_actions(ranked: Sequence[RankedCause], limit: int = 5) -> Blocks:
    """One File fix issue button per listed cause that has no fix yet."""
    open_causes = [r.cause for r in ranked if r.cause.fix_status == FixStatus.NONE][:limit]
    if not open_causes:
        return []
    row = actions(*(button(cut(f"File fix issue: {c.key}", 75), Action.FILE_FIX, Ref(cause=c.key))
                    for c in open_causes))
    return [{**row, "block_id": "fixloop.file_fix"}]


def fix_shipped(ticket_id: str, text: str, data: dict[str, Any]) -> Blocks:
    """The requester's news that the fix shipped, with That solved it / Still happening."""
    ref = Ref(ticket_id)
    title = esc(cut(str(data.get("title") or ""), 200))
    return [
        section(f"{esc(text)}\n_{title}_" if title else esc(text)),
        actions(button("That solved it", Action.FIX_SOLVED, ref, "primary"),
                button("Still happening", Action.FIX_STILL, ref)),
    ]


def fixes_section(fixes: dict[str, list[dict[str, str]]] | None) -> Blocks:
    """The digest's fixes: filed, shipped, held, regressed in the week."""
    if not fixes:
        return []
    lines = []
    for name in ("filed", "shipped", "held", "regressed"):
        items = fixes.get(name) or []
        names = ", ".join(esc(cut(i["title"], 80)) for i in items[:5])
        lines.append(f"• *{name}*: {len(items)}" + (f" ({names})" if names else ""))
    return [{"type": "divider"}, section(":wrench: *Fixes*\n" + "\n".join(lines))]
