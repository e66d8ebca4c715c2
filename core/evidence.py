"""The evidence bundle an owning team gets with an escalation, and the triage context."""

from __future__ import annotations

import logging

from core.causes import Cause
from core.escalation import Evidence
from core.kb import Article
from core.ports import CauseRepository, LanguageModel, TicketRepository
from core.tickets import Role, Ticket

log = logging.getLogger(__name__)


def plain_summary(ticket: Ticket, width: int = 400) -> str:
    """A summary without a language model: the request, and the latest word from each side."""
    first = ticket.text.strip()
    parts = [first if len(first) <= width else first[: width - 1] + "…"]
    latest_agent = next((m for m in reversed(ticket.messages) if m.role == Role.AGENT), None)
    if latest_agent:
        parts.append(f"Latest from {latest_agent.author}: {latest_agent.text[:200]}")
    return "\n".join(parts)


async def build_evidence(
    ticket: Ticket,
    *,
    tickets: TicketRepository,
    causes: CauseRepository,
    articles: dict[str, Article],
    llm: LanguageModel | None = None,
    similar_limit: int = 5,
) -> Evidence:
    """Collect summary, transcript, articles tried, similar tickets and the likely cause."""
    summary = None
    if llm is not None:
        try:
            summary = await llm.summarize(_thread_text(ticket))
        except Exception:  # the model is optional: fall back to the plain summary
            log.warning("summary by language model failed for %s", ticket.id, exc_info=True)
    cause: Cause | None = await causes.get(ticket.cause_key) if ticket.cause_key else None
    similar = await _similar(ticket, tickets, similar_limit)
    return Evidence(
        summary=summary or plain_summary(ticket),
        transcript=[
            {"role": str(m.role), "author": m.author, "text": m.text[:500]} for m in ticket.transcript()
        ],
        articles_tried=[
            {"id": a, "title": articles[a].title if a in articles else a}
            for a in ticket.suggested_article_ids
        ],
        similar_tickets=[{"id": t.id, "subject": t.subject, "status": str(t.status)} for t in similar],
        likely_cause={"key": cause.key, "title": cause.title} if cause else None,
        requester=ticket.requester,
        surface=str(ticket.surface),
        attachments=[a.to_dict() for a in ticket.attachments],
    )


async def _similar(ticket: Ticket, tickets: TicketRepository, limit: int) -> list[Ticket]:
    if not ticket.cause_key:
        return []
    same = await tickets.list(cause_key=ticket.cause_key, limit=limit + 1, newest_first=True)
    return [t for t in same if t.id != ticket.id][:limit]


def _thread_text(ticket: Ticket) -> str:
    return "\n".join(f"{m.role}: {m.text}" for m in ticket.transcript(limit=30))
