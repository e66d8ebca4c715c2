"""Incidents: one problem reported by many people at once, handled as one, and closed with everyone.

The rule (`IncidentPolicy`) and the matching are pure; the use cases are in core/incident_flow.py.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from core.gists import QUERY as QUERY  # the names tests and the bench import from here
from core.gists import Afresh, GistReads, KeptWeights, R, Reported, WordWeights
from core.gists import close_to as close_to
from core.gists import words as words
from core.ports import Retriever, UnitOfWork

OPEN, RESOLVED = "open", "resolved"


@dataclass(frozen=True)
class IncidentPolicy:
    """When matching tickets become an incident, and how close is close (fixloop.toml [incidents])."""

    min_tickets: int = 5
    min_requesters: int = 4
    window_minutes: int = 30
    similarity: float = 0.35  # TF-IDF cosine between a ticket and the others, when no cause is known
    duplicate_similarity: float = 0.5  # the same requester's new ticket joins their open one above this
    similar_shown: int = 3  # "similar open tickets" listed in a triage post

    @property
    def window(self) -> timedelta:
        """The window the tickets must arrive in."""
        return timedelta(minutes=self.window_minutes)


@dataclass
class IncidentLink:
    """A ticket of an incident, and when its requester was told it is resolved."""

    ticket_id: str
    requester: str
    linked_at: datetime
    told_at: datetime | None = None


@dataclass
class Incident:
    id: str
    cause_key: str
    title: str
    opened_at: datetime
    owner: str | None = None
    status: str = OPEN
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    links: list[IncidentLink] = field(default_factory=list)
    version: int = field(default=0, compare=False)

    @property
    def is_open(self) -> bool:
        """Whether the incident is still being worked on."""
        return self.status == OPEN

    @property
    def requesters(self) -> set[str]:
        """The distinct people who reported it."""
        return {link.requester for link in self.links}

    def link(self, ticket: Reported, at: datetime) -> bool:
        """Add a ticket (once); whether it was new here."""
        if any(link.ticket_id == ticket.id for link in self.links):
            return False
        self.links.append(IncidentLink(ticket.id, ticket.requester, at))
        return True

    def resolve(self, at: datetime, by: str) -> None:
        """Mark the incident resolved."""
        self.status, self.resolved_at, self.resolved_by = RESOLVED, at, by


class IncidentRepository(GistReads, Protocol):
    async def get(self, incident_id: str) -> Incident | None: ...
    async def open_for_cause(self, cause_key: str) -> Incident | None: ...
    async def of_cause(self, cause_key: str) -> builtins.list[Incident]: ...
    async def list_open(self) -> builtins.list[Incident]: ...
    async def open_heads(self, per: int) -> builtins.list[tuple[str, builtins.list[str]]]:
        """Each open incident's id (oldest first) with its newest `per` reports' ticket ids, in order."""
        ...

    async def linked(self, ticket_ids: Sequence[str]) -> set[str]:
        """Which of these tickets already belong to an incident."""
        ...

    async def add(self, incident: Incident) -> None:
        """Insert a new incident; Conflict when its cause has an open incident already (a race lost)."""
        ...

    async def save(self, incident: Incident) -> None:
        """Update an incident read here (version checked, else Conflict), inserting its new links."""
        ...

    async def post_ref(self, incident_id: str, place: str) -> dict[str, str] | None: ...
    async def remember_post(self, incident_id: str, place: str, ref: dict[str, str]) -> None: ...


class IncidentUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also reads and writes incidents (adapters/db/uow.py)."""

    @property
    def incidents(self) -> IncidentRepository: ...


BACKGROUND = 300  # recent tickets whose words weigh a similarity


@dataclass(frozen=True)
class IncidentRules:
    """The policy, a fresh similarity index per question, and the word weights of the newest tickets.

    `weigh` counts the weights of texts once (adapters/search/word_weights.py); they are kept `kept.ttl`
    per process. Without it every question fits the newest tickets' texts again (`similar`).
    """

    policy: IncidentPolicy
    similar: Callable[[], Retriever]
    weigh: Callable[[Sequence[str]], WordWeights] | None = None
    kept: KeptWeights = field(default_factory=KeptWeights, compare=False)

    async def word_weights(self, reads: GistReads, now: datetime) -> WordWeights:
        """The weights of the newest tickets' words: those kept, or counted now from one read."""
        kept = self.kept.fresh(now) if self.weigh is not None else None
        if kept is not None:
            return kept
        texts = await reads.newest_texts(BACKGROUND)
        if self.weigh is None:
            return Afresh(texts, self.similar)
        return self.kept.keep(self.weigh(texts), now)


def new_incident_id() -> str:
    """A short, unguessable incident id."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "INC-" + "".join(secrets.choice(alphabet) for _ in range(5))


def matching(
    ticket: Reported,
    recent: Sequence[R],
    rules: IncidentRules,
    background: Sequence[str] = (),
    *,
    weights: WordWeights | None = None,
) -> list[R]:
    """The recent tickets that match this one: the same likely cause, or close in meaning without one.

    Close in meaning reaches one step further (close to a close one): people describe one outage in
    words that overlap pairwise more than each overlaps the first report. Words are weighed by the
    background texts, or by `weights` (kept word weights) when given.
    """
    others = [t for t in recent if t.id != ticket.id]
    if ticket.cause_key:
        return [t for t in others if t.cause_key == ticket.cause_key]
    unexplained = [t for t in others if not t.cause_key]
    similar = weights.similar if weights is not None else rules.similar
    return close_to(
        words(ticket), unexplained, similar, rules.policy.similarity, hops=2, background=background
    )


def fires(group: Sequence[Reported], policy: IncidentPolicy) -> bool:
    """Whether a group of matching tickets is an incident: enough tickets from enough distinct people."""
    people = {t.requester for t in group}
    return len(group) >= policy.min_tickets and len(people) >= policy.min_requesters
