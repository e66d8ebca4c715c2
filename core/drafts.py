"""Draft articles assembled from the tickets of a knowledge gap, in the team's article format."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.causes import Cause
from core.gaps import Gap
from core.kb import Article
from core.key_phrases import terms
from core.redaction import redact
from core.tickets import Role, Ticket

MAX_SYMPTOMS = 4
MAX_STEPS = 8
NO_STEPS = "_No agent reply in these tickets says what fixed it: add the steps (Edit) before publishing._"
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
STEP_LEAD = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s*")


class DraftStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"


@dataclass
class Draft:
    """A proposed article: every line comes from the gap's tickets, redacted; the owner decides."""

    id: str
    gap_key: str
    title: str
    problem: str
    symptoms: list[str]
    steps: list[str]
    surface: str | None
    owner: str | None = None
    cause: str | None = None
    ticket_ids: list[str] = field(default_factory=list)
    status: DraftStatus = DraftStatus.DRAFT
    created_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    article_id: str | None = None

    @property
    def article_key(self) -> str:
        """The id the article gets when published: stable, so publishing twice is one article."""
        return self.article_id or f"kb-gap-{self.id}"

    def body(self) -> str:
        """The article body in the sample knowledge base's Markdown layout."""
        parts = [f"# {self.title}", "", "## Problem", self.problem, "", "## Symptoms",
                 *[f"- {s}" for s in self.symptoms]]
        if self.cause:
            parts += ["", "## Why it happens", self.cause]
        steps = [f"{i}. {s}" for i, s in enumerate(self.steps, 1)] or [NO_STEPS]
        parts += ["", "## Steps that fixed it", *steps]
        more = f" and {len(self.ticket_ids) - 10} more" if len(self.ticket_ids) > 10 else ""
        parts += ["", f"_Drafted from tickets {', '.join(self.ticket_ids[:10])}{more}._"]
        return "\n".join(parts)

    def to_article(self) -> Article:
        """The article this draft becomes."""
        return Article(id=self.article_key, title=self.title, body=self.body(), surface=self.surface,
                       tags=("drafted-from-tickets",), owner=self.owner)

    def markdown(self) -> str:
        """The article as a file `fixloop import kb` reads back: front matter, then the body."""
        meta = [f"id: {self.article_key}", f"title: {_one_line(self.title)}"]
        if self.surface:
            meta.append(f"surface: {self.surface}")
        meta.append("tags: drafted-from-tickets")
        if self.owner:
            meta.append(f"owner: {_one_line(self.owner)}")
        return "---\n" + "\n".join(meta) + "\n---\n" + self.body() + "\n"


def draft_from_gap(draft_id: str, gap: Gap, tickets: Sequence[Ticket], cause: Cause | None = None,
                   *, at: datetime | None = None) -> Draft:
    """An extractive draft: requesters' words as symptoms, agents' replies before resolution as steps."""
    by_id = {t.id: t for t in tickets}
    own = [by_id[i] for i in gap.ticket_ids if i in by_id]  # most impactful first
    symptoms = _unique([_clean(t.text or t.subject) for t in own], MAX_SYMPTOMS)
    steps = _common_first([_unique(_agent_steps(t), MAX_STEPS) for t in own], MAX_STEPS)
    problem = _clean(own[0].subject or own[0].text) if own else gap.title
    root = redact(cause.root_cause) if cause and cause.root_cause else None
    return Draft(id=draft_id, gap_key=gap.key, title=_clean(gap.title)[:120], problem=problem,
                 symptoms=symptoms, steps=steps, surface=gap.surface or None, owner=gap.owner, cause=root,
                 ticket_ids=[t.id for t in own], created_at=at)


def _agent_steps(ticket: Ticket) -> list[str]:
    """Sentences of the agents' replies written before the ticket was resolved."""
    end = ticket.resolved_at
    out = []
    for m in ticket.messages:
        if m.role != Role.AGENT or m.deleted_at or (end and m.at > end):
            continue
        for sentence in SENTENCE.split(m.text):
            step = _clean(STEP_LEAD.sub("", sentence))
            if len(terms(step)) >= 2:  # "thanks!" and "done" are not steps
                out.append(step)
    return out


def grounded(step: str, sources: Sequence[str], share: float = 0.6) -> bool:
    """Whether most content words of a (model-written) step occur in the tickets: no invented steps."""
    words = {w for w in terms(step) if " " not in w}
    if not words:
        return False
    seen = {w for text in sources for w in terms(text) if " " not in w}
    return len(words & seen) / len(words) >= share


def _common_first(per_ticket: Sequence[Sequence[str]], limit: int) -> list[str]:
    """Steps that fixed more tickets first; ties keep the order they were written in."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for steps in per_ticket:
        for step in steps:
            key = step.lower().rstrip(".!")
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, step)
    order = sorted(first, key=lambda k: -counts[k])  # sorted() is stable: writing order within a count
    return [first[k] for k in order][:limit]


def _clean(text: str) -> str:
    """Redacted, one line, bounded: ticket text is personal and hostile until proven otherwise."""
    return _one_line(redact(text))[:300]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unique(items: Sequence[str], limit: int) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower().rstrip(".!")
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out[:limit]
