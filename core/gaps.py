"""Knowledge gaps: groups of tickets people solved without an article, ranked by volume and impact."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.causes import Cause, ticket_impact
from core.key_phrases import key_phrases, title_from
from core.org import ImpactWeights
from core.phrase_groups import group_by_phrase
from core.tickets import Resolution, Ticket


@dataclass
class Gap:
    """Tickets of one cause (or one key phrase) on one surface that no article solved."""

    key: str  # "<surface>:<cause key>" or "<surface>:phrase:<words_of_the_phrase>": stable across runs
    group: str  # the cause key, or "phrase:<phrase>" for tickets no cause holds
    title: str
    surface: str
    tickets: int
    impact: float
    owner: str | None = None
    key_phrases: tuple[str, ...] = ()
    evidence: list[str] = field(default_factory=list)  # ticket ids, most impactful first
    ticket_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of `fixloop gaps --json` and the digest."""
        return {"key": self.key, "title": self.title, "surface": self.surface, "tickets": self.tickets,
                "impact": self.impact, "owner": self.owner, "key_phrases": list(self.key_phrases),
                "evidence": list(self.evidence)}


def solved_without_article(ticket: Ticket) -> bool:
    """Resolved by a person, with no article: resolution `agent`, or a fix after *I still need help*."""
    if ticket.is_open or ticket.article_id or not (ticket.text or ticket.subject):
        return False
    return ticket.resolution == Resolution.AGENT or (
        ticket.resolution == Resolution.FIX and ticket.asked_for_person
        and bool(ticket.suggested_article_ids))


def find_gaps(tickets: Iterable[Ticket], causes: Iterable[Cause], *, now: datetime, weights: ImpactWeights,
              since: datetime | None = None, min_tickets: int = 2, evidence: int = 3,
              covered: Sequence[str] = ()) -> list[Gap]:
    """Gaps per surface, most tickets first, then most impact; `covered` groups already have an article."""
    solved = [t for t in tickets if solved_without_article(t) and not (since and t.created_at < since)]
    return group_gaps(solved, causes, now=now, weights=weights, min_tickets=min_tickets, evidence=evidence,
                      covered=covered)


def group_gaps(solved: Iterable[Ticket], causes: Iterable[Cause], *, now: datetime, weights: ImpactWeights,
               min_tickets: int = 2, evidence: int = 3, covered: Sequence[str] = ()) -> list[Gap]:
    """find_gaps over tickets already known to be solved without an article (selected in SQL)."""
    known = {c.key: c for c in causes}
    groups: dict[tuple[str, str], list[Ticket]] = {}
    loose: list[Ticket] = []
    for t in solved:
        if t.cause_key and t.cause_key in known:
            groups.setdefault((str(t.surface), t.cause_key), []).append(t)
        else:
            loose.append(t)
    for surface in sorted({str(t.surface) for t in loose}):  # no cause holds these: a phrase they share
        own = [t for t in loose if str(t.surface) == surface]
        held = [_text(t) for ts in groups.values() for t in ts if str(t.surface) == surface]
        for phrase, members in group_by_phrase([_text(t) for t in own], held, min_tickets):
            # The key travels in button values and on the command line: words joined by "_", which no
            # phrase holds (key_phrases.WORD), never by a space.
            groups[(surface, f"phrase:{phrase.replace(' ', '_')}")] = [own[i] for i in members]
    texts = {f"{s}|{g}": [_text(t) for t in ts] for (s, g), ts in groups.items()}
    phrases = key_phrases(texts, top=4)
    gaps = []
    for (surface, group), own in groups.items():
        if len(own) < min_tickets or f"{surface}:{group}" in covered or group in covered:
            continue
        impacts = sorted(((ticket_impact(t, now, weights), t) for t in own), key=lambda p: (-p[0], p[1].id))
        cause = known.get(group)
        top = phrases.get(f"{surface}|{group}", ())
        gaps.append(Gap(key=f"{surface}:{group}", group=group, surface=surface,
                        title=cause.title if cause else _phrase_title(group, top),
                        tickets=len(own), impact=round(sum(i for i, _ in impacts), 2),
                        owner=cause.owner if cause else None, key_phrases=top,
                        evidence=[t.id for _, t in impacts[:evidence]],
                        ticket_ids=[t.id for _, t in impacts]))
    gaps.sort(key=lambda g: (-g.tickets, -g.impact, g.key))
    return gaps


def _phrase_title(group: str, phrases: Sequence[str]) -> str:
    """The phrase the group shares, then what else sets it apart (its key phrases), as a cause is named."""
    shared = group.removeprefix("phrase:").replace("_", " ")
    return title_from([shared, *(p for p in phrases if p not in shared and shared not in p)])


def _text(ticket: Ticket) -> str:
    return ticket.text or ticket.subject


def gaps_text(gaps: Sequence[Gap], limit: int = 10) -> str:
    """Plain-text list for the terminal (`fixloop gaps`)."""
    if not gaps:
        return "No knowledge gaps: every group of solved tickets had an article."
    lines = []
    for surface in sorted({g.surface for g in gaps}):
        lines.append(f"{surface}:")
        for i, g in enumerate([g for g in gaps if g.surface == surface][:limit], 1):
            owner = f", owner {g.owner}" if g.owner else ""
            lines.append(f"  {i}. {g.title}: {g.tickets} tickets solved without an article, impact "
                         f"{g.impact:g}{owner} (e.g. {', '.join(g.evidence)}) [{g.key}]")
    return "\n".join(lines)
