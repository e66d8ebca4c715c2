"""The root-cause engine: re-cluster tickets in batch, propose causes, merge and split them.

Causes a person named, merged or linked to a fix (Cause.named_by_person) keep their key, title and tickets
whatever the clustering says; automatic causes keep their key when a cluster is mostly theirs.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from core.causes import Cause
from core.key_phrases import key_phrases, title_from
from core.ports import LanguageModel
from core.tickets import Ticket

log = logging.getLogger(__name__)


class Clusterer(Protocol):
    """Groups texts; the number of groups is found from the data. See adapters/search/clustering.py."""

    name: str

    def cluster(self, texts: Sequence[str]) -> list[int]:
        """A group number for each text."""
        ...


@dataclass(frozen=True)
class ProposedCause:
    cause: Cause
    action: str  # "keep" (known cause), "new" (a new cluster), "split" (part of a known cause)
    ticket_ids: tuple[str, ...]
    evidence: tuple[str, ...]  # representative tickets, most typical first
    surfaces: tuple[str, ...]
    absorbed: tuple[str, ...] = ()  # automatic causes whose tickets all fell into this one: a merge
    summary: str | None = None  # from the language model, when one is configured


@dataclass
class Reclustering:
    causes: list[ProposedCause] = field(default_factory=list)
    assignments: dict[str, str] = field(default_factory=dict)  # ticket id -> cause key
    candidates: list[str] = field(default_factory=list)  # tickets held until their cluster grows


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What re-clustering reads of a ticket: never its messages, only its text, surface and cause."""

    id: str
    text: str  # ticket_text: the subject and the description
    surface: str
    cause_key: str | None
    created_at: datetime


def ticket_text(ticket: Ticket) -> str:
    """The text a ticket is clustered and matched by."""
    return f"{ticket.subject} {ticket.text}".strip()


def cluster_doc(ticket: Ticket | ClusterDoc) -> ClusterDoc:
    """The part of a ticket re-clustering reads."""
    if isinstance(ticket, ClusterDoc):
        return ticket
    t = ticket
    return ClusterDoc(t.id, ticket_text(t), str(t.surface), t.cause_key, t.created_at)


def propose_causes(tickets: Sequence[Ticket | ClusterDoc], causes: Iterable[Cause], *, clusterer: Clusterer,
                   min_size: int = 3, keep_share: float = 0.5) -> Reclustering:
    """Cluster every ticket and map clusters onto known causes, keeping the identity of named ones."""
    known = {c.key: c for c in causes}
    docs = [cluster_doc(t) for t in tickets]
    groups: dict[int, list[ClusterDoc]] = {}
    for doc, label in zip(docs, clusterer.cluster([d.text for d in docs]), strict=True):
        groups.setdefault(label, []).append(doc)
    result, taken, sizes = Reclustering(), set(), Counter(d.cause_key for d in docs)
    for members in sorted(groups.values(), key=len, reverse=True):  # big clusters claim keys first
        owner = _owner(members, known, keep_share)
        if owner is not None and owner.key not in taken:
            taken.add(owner.key)
            _add(result, owner, "keep", members, known, sizes)
        elif len([t for t in members if not _pinned(t, known)]) >= min_size:
            action = "split" if owner is not None else "new"
            _add(result, Cause(key=auto_key(members), title=""), action, members, known, sizes)
        else:
            result.candidates.extend(t.id for t in members if not _pinned(t, known))
    _pin(result, docs, known)
    _name(result, docs)
    return result


def _pinned(ticket: ClusterDoc, known: dict[str, Cause]) -> bool:
    cause = known.get(ticket.cause_key or "")
    return cause is not None and cause.named_by_person


def _owner(members: list[ClusterDoc], known: dict[str, Cause], keep_share: float) -> Cause | None:
    votes = Counter(t.cause_key for t in members if t.cause_key in known)
    if not votes:
        return None
    key, n = votes.most_common(1)[0]
    return known[key] if n >= keep_share * len(members) else None


def _add(result: Reclustering, cause: Cause, action: str, members: list[ClusterDoc], known: dict[str, Cause],
         sizes: Counter[str | None]) -> None:
    own = [t for t in members if not _pinned(t, known) or t.cause_key == cause.key]
    absorbed = tuple(sorted(k for k in _wholly_inside(members, known, sizes) if k != cause.key))
    for t in own:
        result.assignments[t.id] = cause.key
    result.causes.append(ProposedCause(cause=cause, action=action, ticket_ids=tuple(t.id for t in own),
                                       evidence=(), surfaces=tuple(sorted({str(t.surface) for t in own})),
                                       absorbed=absorbed))


def _wholly_inside(members: list[ClusterDoc], known: dict[str, Cause],
                   sizes: Counter[str | None]) -> set[str]:
    # An automatic cause all of whose tickets landed in this cluster has been merged into it.
    here = Counter(t.cause_key for t in members if t.cause_key in known)
    return {str(k) for k in here if not known[str(k)].named_by_person and here[k] == sizes[k]}


def _pin(result: Reclustering, tickets: Sequence[ClusterDoc], known: dict[str, Cause]) -> None:
    # A named cause keeps every ticket a person put in it, even one that clustered elsewhere.
    for t in tickets:
        if _pinned(t, known) and t.cause_key:
            result.assignments[t.id] = t.cause_key


def _name(result: Reclustering, docs: Sequence[ClusterDoc]) -> None:
    # One pass over the assignments (in their order), not one per cause: 1M tickets, hundreds of causes.
    by_id = {d.id: d for d in docs}
    members: dict[str, list[ClusterDoc]] = {p.cause.key: [] for p in result.causes}
    for ticket_id, key in result.assignments.items():
        bucket = members.get(key)
        if bucket is not None:
            bucket.append(by_id[ticket_id])
    del by_id
    phrases = key_phrases({k: [d.text for d in ds] for k, ds in members.items()})
    for i, p in enumerate(result.causes):
        own = members[p.cause.key]
        cause = p.cause if p.cause.named_by_person else replace(p.cause, key_phrases=phrases[p.cause.key])
        if not cause.title:
            cause = replace(cause, title=title_from(phrases[p.cause.key]))
        result.causes[i] = replace(p, cause=cause, ticket_ids=tuple(t.id for t in own),
                                   evidence=representatives(own, phrases[p.cause.key]),
                                   surfaces=tuple(sorted({str(t.surface) for t in own})))


def representatives(tickets: Sequence[Ticket | ClusterDoc], phrases: Sequence[str],
                    limit: int = 3) -> tuple[str, ...]:
    """The tickets that mention most of a cause's key phrases: its most typical evidence."""
    def hits(t: Ticket | ClusterDoc) -> int:
        text = cluster_doc(t).text.lower()
        return sum(p in text for p in phrases)
    return tuple(t.id for t in sorted(tickets, key=lambda t: (-hits(t), t.id))[:limit])


def auto_key(members: Sequence[Ticket | ClusterDoc]) -> str:
    """A stable key for an automatic cause, from its earliest tickets."""
    seed = ",".join(sorted(t.id for t in members)[:5])
    return "auto-" + hashlib.sha1(seed.encode()).hexdigest()[:8]


def merge_causes(keep: Cause, gone: Cause, tickets: Iterable[Ticket]) -> list[Ticket]:
    """A person merges `gone` into `keep`: its tickets move, and `keep` is now fixed by a person."""
    keep.named_by_person = True
    keep.key_phrases = tuple(dict.fromkeys(keep.key_phrases + gone.key_phrases))[:8]
    moved = [t for t in tickets if t.cause_key == gone.key]
    for t in moved:
        t.cause_key = keep.key
    return moved


def split_cause(cause: Cause, ticket_ids: Iterable[str], tickets: Iterable[Ticket], *, key: str,
                title: str) -> tuple[Cause, list[Ticket]]:
    """A person splits some tickets off a cause into a new, person-named cause."""
    wanted = set(ticket_ids)
    moved = [t for t in tickets if t.id in wanted and t.cause_key == cause.key]
    new = Cause(key=key, title=title, owner=cause.owner, named_by_person=True)
    for t in moved:
        t.cause_key = key
    cause.named_by_person = True
    return new, moved


async def name_with_model(proposal: ProposedCause, texts: Sequence[str],
                          llm: LanguageModel | None) -> ProposedCause:
    """A one-line name and a summary from the language model; unchanged without one or on failure."""
    if llm is None or proposal.cause.named_by_person:
        return proposal
    try:
        named = await llm.name_cause(list(texts)[:20])
    except Exception:  # the model is optional: key phrases already give a readable name
        log.warning("naming cause %s by language model failed", proposal.cause.key, exc_info=True)
        return proposal
    if not named:
        return proposal
    return replace(proposal, cause=replace(proposal.cause, title=named[0]), summary=named[1])
