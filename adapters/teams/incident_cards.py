"""Adaptive Cards of incidents and duplicates: the incident post, and a triage card's similar open tickets."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.teams.cards import Card, card, cut, facts, note, submit, text
from adapters.teams.escape import md
from adapters.teams.ids import Action
from core.gists import Reported
from core.incidents import Incident

LISTED = 10  # tickets listed on the card; the rest are counted


def incident(inc: Incident, tickets: Sequence[Reported]) -> Card:
    """The one card of an incident, updated as reports come in and when it is resolved."""
    lines = [f"- **{t.id}** {md(cut(t.subject, 120))} ({md(t.requester)})" for t in tickets[:LISTED]]
    if len(tickets) > LISTED:
        lines.append(f"- and {len(tickets) - LISTED} more")
    body = [
        text(f"🚨 **Incident {inc.id}**: {md(cut(inc.title, 200))}", weight="Bolder"),
        facts(
            [
                ("Reports", str(len(inc.links))),
                ("People", str(len(inc.requesters))),
                ("Opened", inc.opened_at.strftime("%Y-%m-%d %H:%M UTC")),
                ("Cause", md(inc.cause_key)),
            ]
        ),
        text("\n".join(lines) or "No tickets"),
    ]
    if inc.is_open:
        return card(
            *body, actions=[submit("Resolve incident", Action.INCIDENT_RESOLVE, "positive", ticket=inc.id)]
        )
    told = sum(1 for link in inc.links if link.told_at)
    when = inc.resolved_at.strftime("%H:%M UTC") if inc.resolved_at else ""
    return card(
        *body,
        note(
            f"✅ Resolved by {md(inc.resolved_by or 'fixloop')} at {when}; "
            f"{told} requesters asked to confirm."
        ),
    )


def with_similar(shown: Card, ticket_id: str, tickets: Sequence[Reported]) -> Card:
    """A triage card with similar open tickets of other requesters listed, each with a Link button."""
    if not tickets:
        return shown
    lines = "\n".join(f"- **{t.id}** {md(cut(t.subject, 120))} ({md(t.requester)})" for t in tickets)
    links = [submit(f"Link {t.id}", Action.LINK_TICKET, ticket=ticket_id, other=t.id) for t in tickets]
    body = [*shown["body"], text("**Similar open tickets**", spacing="Medium"), text(lines)]
    return {**shown, "body": body, "actions": [*shown.get("actions", []), *links]}
