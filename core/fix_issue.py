"""The evidence a fix issue carries: what the cause is, how often, since when, for whom, and examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from core.causes import Cause, ticket_impact
from core.org import ImpactWeights
from core.redaction import redact
from core.tickets import Surface, Ticket
from core.trackers import IssueDraft, Item

ThreadLink = Callable[[Ticket], str | None]  # a link back to the ticket's chat thread, built from stored ids
EXAMPLES = 5
WEEKS = 8


def fix_issue_draft(
    cause: Cause, tickets: Sequence[Ticket], *, now: datetime, weights: ImpactWeights, link: ThreadLink
) -> IssueDraft:
    """The issue to file for a cause: its evidence, personal data redacted."""
    own = sorted((t for t in tickets if t.cause_key == cause.key), key=lambda t: t.created_at)
    intro = [f"Fixloop grouped {len(own)} support tickets under this root cause."]
    if cause.root_cause:
        intro.append(f"Root cause recorded by the owning team: {redact(cause.root_cause)}")
    return IssueDraft(
        title=f"Fix: {redact(cause.title)}"[:240],
        intro=tuple(intro),
        sections=(
            ("Volume", _volume(own, now, weights)),
            ("Trend (tickets per week, oldest first)", _trend(own, now)),
            (f"Representative tickets (up to {EXAMPLES})", _examples(own, now, weights, link)),
            ("Fixloop", (Item(f"Cause key: {cause.key}. When this issue is closed as done, Fixloop tells "
                              "the requesters and watches whether the fix holds."),)),
        ),
    )


def _volume(own: Sequence[Ticket], now: datetime, weights: ImpactWeights) -> tuple[Item, ...]:
    by_surface = Counter(str(t.surface) for t in own)
    people = {str(s): len({t.requester for t in own if t.surface == s and t.requester}) for s in Surface}
    items = [
        Item(f"Tickets: {len(own)} ({', '.join(f'{n} {s}' for s, n in sorted(by_surface.items()))}), "
             f"{sum(1 for t in own if t.is_open)} still open"),
        Item(f"Affected: {people['internal']} employees, {people['external']} customers "
             f"(+{sum(max(0, t.affected_users) for t in own)} more people reported as affected)"),
        Item(f"Business impact: {sum(ticket_impact(t, now, weights) for t in own):,.0f}"),
    ]
    if own:
        items.append(Item(f"First seen {own[0].created_at:%Y-%m-%d %H:%M} UTC, "
                          f"last seen {own[-1].created_at:%Y-%m-%d %H:%M} UTC"))
    return tuple(items)


def _trend(own: Sequence[Ticket], now: datetime) -> tuple[Item, ...]:
    weeks = [now - timedelta(weeks=k) for k in range(WEEKS, -1, -1)]
    counts = [sum(1 for t in own if a <= t.created_at < b) for a, b in zip(weeks, weeks[1:], strict=False)]
    return (Item(" | ".join(f"{a:%m-%d}: {n}" for a, n in zip(weeks, counts, strict=False))),)


def _examples(
    own: Sequence[Ticket], now: datetime, weights: ImpactWeights, link: ThreadLink
) -> tuple[Item, ...]:
    ranked = sorted(own, key=lambda t: (-ticket_impact(t, now, weights), t.id))[:EXAMPLES]
    return tuple(
        Item(f"{t.id} ({t.surface}, {t.created_at:%Y-%m-%d}): {redact((t.subject or t.text)[:200])}", link(t))
        for t in ranked
    )
