"""Block Kit of incidents and duplicates: the incident post, and a triage post's similar open tickets."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.slack.blocks import Blocks, actions, button, context, cut, esc, section, who
from adapters.slack.forms import Ref
from adapters.slack.ids import Action, Block
from core.gists import Reported
from core.incidents import Incident

LISTED = 10  # tickets listed in the post; the rest are counted


def incident(inc: Incident, tickets: Sequence[Reported]) -> Blocks:
    """The one post of an incident, redrawn as reports come in and when it is resolved."""
    head = f":rotating_light: *Incident {inc.id}*: {esc(cut(inc.title, 200))}"
    since = inc.opened_at.strftime("%Y-%m-%d %H:%M UTC")
    people = f"{len(inc.links)} reports from {len(inc.requesters)} people"
    facts = f"{people} · opened {since} · cause `{esc(inc.cause_key)}`"
    lines = [f"• *{t.id}* {esc(cut(t.subject, 120))} ({who(t.requester)})" for t in tickets[:LISTED]]
    if len(tickets) > LISTED:
        lines.append(f"… and {len(tickets) - LISTED} more")
    out = [section(head), context(facts), section("\n".join(lines) or "No tickets")]
    if inc.is_open:
        out.append(actions(button("Resolve incident", Action.INCIDENT_RESOLVE, Ref(other=inc.id), "primary")))
    else:
        told = sum(1 for link in inc.links if link.told_at)
        when = inc.resolved_at.strftime("%H:%M UTC") if inc.resolved_at else ""
        out.append(
            context(
                f":white_check_mark: Resolved by {who(inc.resolved_by or 'fixloop')} at {when}; "
                f"{told} requesters asked to confirm."
            )
        )
    return out


def summary(inc: Incident) -> str:
    """The notification text of the incident post (escaped)."""
    return esc(f"Incident {inc.id}: {cut(inc.title, 200)} ({len(inc.links)} reports, {inc.status})")


def similar(ticket_id: str, tickets: Sequence[Reported]) -> Blocks:
    """Similar open tickets of other requesters, each with a Link button."""
    if not tickets:
        return []
    lines = "\n".join(f"• *{t.id}* {esc(cut(t.subject, 120))} ({who(t.requester)})" for t in tickets)
    row = actions(
        *(
            button(f"Link {t.id}", f"{Action.LINK_TICKET}.{n}", Ref(ticket_id, other=t.id))
            for n, t in enumerate(tickets)
        )
    )
    return [section(f"*Similar open tickets*\n{lines}"), {**row, "block_id": Block.SIMILAR}]
