"""Assigning a new ticket to a known cause when its text is close enough to the cause's tickets."""

from __future__ import annotations

from collections.abc import Iterable

from core.causes import Cause
from core.ports import Retriever
from core.tickets import Ticket


class CauseMatcher:
    """Matches text against each cause's title, key phrases and recent ticket texts."""

    def __init__(self, retriever: Retriever, threshold: float = 0.3, per_cause: int = 40) -> None:
        self.retriever = retriever
        self.threshold = threshold
        self.per_cause = per_cause
        self.causes: dict[str, Cause] = {}

    def load(self, causes: Iterable[Cause], tickets: Iterable[Ticket]) -> None:
        """Rebuild the index from the causes and the tickets already assigned to them."""
        self.causes = {c.key: c for c in causes}
        texts: dict[str, list[str]] = {key: [] for key in self.causes}
        for t in sorted(tickets, key=lambda t: t.created_at, reverse=True):
            bucket = texts.get(t.cause_key or "")
            if bucket is not None and len(bucket) < self.per_cause:
                bucket.append(f"{t.subject} {t.text}")
        docs = []
        for key, cause in self.causes.items():
            # One document per ticket keeps a cause with many phrasings matchable by each of them.
            docs.append((key, f"{cause.title} {' '.join(cause.key_phrases)}"))
            docs.extend((key, text) for text in texts[key])
        self.retriever.fit(docs)

    def match(self, text: str) -> tuple[Cause, float] | None:
        """The likely cause of a text and its similarity, or None when none is close enough."""
        for key, score in self.retriever.search(text, limit=5):
            if score < self.threshold:
                return None
            cause = self.causes.get(key)
            if cause is not None:
                return cause, score
        return None
