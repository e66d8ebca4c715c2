"""Assigning a new ticket to a known cause when its text is close enough to the cause's tickets."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from core.causes import Cause
from core.ports import Retriever
from core.tickets import Ticket

# Every cause keeps its few newest texts in the index, however old they are: a cause whose tickets all
# predate the newest `limit` (a problem that comes back once a year) is still matched by its own words.
FLOOR = 3
LIMIT = 100_000  # texts in all (FIXLOOP_FIT_EXAMPLES): bounds the index's fit at any history size


def newest_texts(tickets: Iterable[Ticket], keys: Sequence[str], per_cause: int,
                 limit: int | None = None) -> dict[str, list[str]]:
    """Each cause's newest ticket texts ("subject text"), newest first, at most per_cause each and `limit`
    in all: each cause's FLOOR newest are taken first, then the newest of the rest (ties: lower id first).
    The in-memory oracle of the SQL read (adapters/db/model_inputs.cause_text_rows)."""
    ranked: dict[str, list[Ticket]] = {k: [] for k in keys}
    for t in sorted(sorted(tickets, key=lambda t: t.id), key=lambda t: t.created_at, reverse=True):
        bucket = ranked.get(t.cause_key or "")
        if bucket is not None and len(bucket) < per_cause:
            bucket.append(t)
    order = sorted(((rank >= FLOOR, t) for ts in ranked.values() for rank, t in enumerate(ts)),
                   key=lambda p: (p[0], -p[1].created_at.timestamp(), p[1].id))
    chosen = {id(t) for _, t in order[:limit]}
    return {k: [f"{t.subject} {t.text}" for t in ts if id(t) in chosen] for k, ts in ranked.items()}


class CauseMatcher:
    """Matches text against each cause's title, key phrases and recent ticket texts."""

    def __init__(self, retriever: Retriever, threshold: float = 0.3, per_cause: int = 40,
                 limit: int = LIMIT) -> None:
        self.retriever = retriever
        self.threshold = threshold
        self.per_cause = per_cause
        self.limit = limit  # ticket texts in all (see newest_texts)
        self.causes: dict[str, Cause] = {}
        self.loads = 0  # how many times the index was rebuilt here (a stored copy then goes stale)
        self.texts = 0  # ticket texts in the index (what a stored copy says it learnt from)

    def load(self, causes: Iterable[Cause], tickets: Iterable[Ticket]) -> None:
        """Rebuild the index from the causes and the tickets already assigned to them."""
        causes = list(causes)
        self.load_texts(causes, newest_texts(tickets, [c.key for c in causes], self.per_cause, self.limit))

    def load_texts(self, causes: Iterable[Cause], texts: dict[str, list[str]]) -> None:
        """Rebuild the index from the causes and each one's newest ticket texts (at most per_cause used)."""
        known = {c.key: c for c in causes}
        self.loads += 1
        docs = []
        for key, cause in known.items():
            # One document per ticket keeps a cause with many phrasings matchable by each of them.
            docs.append((key, f"{cause.title} {' '.join(cause.key_phrases)}"))
            docs.extend((key, text) for text in texts.get(key, [])[: self.per_cause])
        # Fitted beside the index in use, then swapped in: matching meanwhile (on another thread, or in
        # another runtime of this process sharing the loaded index, adapters/loaded_models.py) sees the
        # old index with the old causes or the new with the new, never an index being rebuilt.
        retriever = copy.copy(self.retriever)
        retriever.fit(docs)
        self.retriever, self.causes, self.texts = retriever, known, len(docs) - len(known)

    def match(self, text: str) -> tuple[Cause, float] | None:
        """The likely cause of a text and its similarity, or None when none is close enough."""
        for key, score in self.retriever.search(text, limit=5):
            if score < self.threshold:
                return None
            cause = self.causes.get(key)
            if cause is not None:
                return cause, score
        return None
