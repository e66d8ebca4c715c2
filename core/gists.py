"""What the incident and duplicate checks read of a ticket, how they compare texts, and by which weights.

Each report is compared with the open tickets of the incident window by TF-IDF, its words weighed
against the newest tickets too (core/incidents.py). Reading whole tickets with every message for that,
and weighing the newest 300 again for every report, made handling a report cost 100 ms and more: here
are the small reads (no messages), the comparison (`close_to`) and the weights kept for a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from core.ports import Retriever
from core.tickets import Ticket

QUERY = "\x00query"  # the id of the compared text (and of the background texts) in a similarity index


class Reported(Protocol):
    """What the rule looks at in a ticket (a core Ticket, or its Gist read for the checks)."""

    @property
    def id(self) -> str: ...
    @property
    def requester(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def cause_key(self) -> str | None: ...


R = TypeVar("R", bound=Reported)


@dataclass
class Gist:
    """A ticket as the incident and duplicate checks see it: who, when, its likely cause and its words."""

    id: str
    requester: str
    created_at: datetime
    subject: str = ""
    text: str = ""  # the first request (Ticket.text), not the conversation
    cause_key: str | None = None
    platform: str = "console"

    @classmethod
    def of(cls, ticket: Ticket) -> Gist:
        """The gist of a ticket in hand (the new one)."""
        return cls(
            ticket.id,
            ticket.requester,
            ticket.created_at,
            ticket.subject,
            ticket.text,
            ticket.cause_key,
            ticket.platform,
        )


class GistReads(Protocol):
    """The bounded reads of the checks (adapters/db/gists.py): a few columns, never the messages."""

    async def open_since(self, since: datetime | None, *, limit: int) -> list[Gist]:
        """Open tickets created at or after `since` (None: any), newest first."""
        ...

    async def open_among(self, ids: Sequence[str]) -> list[Gist]:
        """The open tickets among these ids."""
        ...

    async def among(self, ids: Sequence[str]) -> list[Gist]:
        """The tickets of these ids, open or not, in the order of the ids."""
        ...

    async def open_of(self, requester: str, *, limit: int) -> list[Gist]:
        """A person's open tickets, newest first."""
        ...

    async def holding(self, message_ref: str, ids: Sequence[str]) -> str | None:
        """Which of these tickets holds a message with this platform id, if one does."""
        ...

    async def newest_texts(self, limit: int) -> list[str]:
        """The words (subject and text, as core/incidents.words) of the newest tickets, open or not."""
        ...


class WordWeights(Protocol):
    """How rare each word is among the newest tickets (document frequencies), counted once, used often."""

    def similar(self) -> Retriever:
        """A fresh similarity index whose words are weighed by those tickets and by what it is fitted on."""
        ...


@dataclass(frozen=True)
class Afresh:
    """Word weights counted again with every question: the texts are indexed beside the compared ones."""

    texts: Sequence[str]
    make: Callable[[], Retriever]

    def similar(self) -> Retriever:
        """A fresh index that also fits the texts (under the QUERY id, so that they are never found)."""
        return WithBackground(self.make(), self.texts)


class WithBackground:
    """A retriever fitted on its documents and on background texts that only weigh the words."""

    def __init__(self, inner: Retriever, texts: Sequence[str]) -> None:
        self.inner, self.texts = inner, texts

    def fit(self, docs: Sequence[tuple[str, str]]) -> None:
        """Index the documents and the background texts together."""
        self.inner.fit([*docs, *((QUERY, text) for text in self.texts)])

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """As the inner retriever."""
        return self.inner.search(text, limit)


@dataclass
class KeptWeights:
    """The word weights of the newest tickets, kept `ttl` per process instead of counted per report.

    Time comes from the caller (the use case's clock): nothing here reads one. A clock that went back
    makes them stale.
    """

    ttl: timedelta = timedelta(minutes=1)
    _kept: tuple[datetime, WordWeights] | None = None

    def fresh(self, now: datetime) -> WordWeights | None:
        """The weights kept, if counted less than `ttl` before `now`."""
        if self._kept is None or not timedelta(0) <= now - self._kept[0] < self.ttl:
            return None
        return self._kept[1]

    def keep(self, weights: WordWeights, now: datetime) -> WordWeights:
        """Keep weights counted at `now`."""
        self._kept = (now, weights)
        return weights


def words(ticket: Reported) -> str:
    """The text a ticket is compared by."""
    return f"{ticket.subject} {ticket.text}"


def close_to(
    text: str,
    pool: Sequence[R],
    similar: Callable[[], Retriever],
    floor: float,
    *,
    hops: int = 1,
    background: Sequence[str] = (),
) -> list[R]:
    """The pool's tickets at least `floor` similar to the text (hops=2: or to one of those), closest first.

    The background (texts of recent tickets) only weighs the words: during an outage most of the pool
    says "VPN", which would make the word worthless if the pool alone decided how rare it is.
    """
    if not pool or not text.strip():
        return []
    index = WithBackground(similar(), background) if background else similar()
    # The text is indexed too: words only it has then count against a match instead of being ignored.
    index.fit([*((t.id, words(t)) for t in pool), (QUERY, text)])
    by_id: dict[str, R] = {t.id: t for t in pool}
    found: dict[str, R] = {}
    frontier = [text]
    for _ in range(hops):
        reached = []
        for asked in frontier:
            for i, score in index.search(asked, limit=len(pool) + 1):
                if score < floor:
                    break
                if i in by_id and i not in found:
                    found[i] = by_id[i]
                    reached.append(words(by_id[i]))
        frontier = reached
    return list(found.values())
