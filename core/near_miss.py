"""Why the bot stayed quiet on a ticket: the article it came closest to offering, and what it needed.

An agent picking up a ticket the bot did not answer sees whether the knowledge base nearly had it (an
article a little short of the bar: worth offering by hand) or had nothing near (a gap to write up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.attachments import only_files
from core.kb import Article, Library, abstain_below, weighed
from core.tickets import Ticket


@dataclass(frozen=True)
class Near:
    """An article the bot did not offer, and its confidence."""

    article: Article
    confidence: float


@dataclass(frozen=True)
class NearMiss:
    """The best articles visible on the ticket's surface, best first, and the confidence the bot needs.

    Up to the policy's limit, as a suggestion offers: on the questions with an article that the bot stayed
    quiet on (light, validation) the first named it on 31% (CLINC150) and 49% (Banking77), the first three
    on 70% and 83%.
    """

    nearest: tuple[Near, ...]
    needed: float

    @property
    def confidence(self) -> float:
        """The best article's confidence."""
        return self.nearest[0].confidence


def near_miss(text: str, *, library: Library, surface: str | None = None) -> NearMiss | None:
    """The articles the bot would have offered had it spoken, when it stays quiet on `text`; None when it
    would answer now, or has no article to offer there."""
    if not text.strip():
        return None
    library.refit()
    needed = abstain_below(library.retriever, library.policy)
    ranked = library.retriever.search(text, limit=library.policy.limit * 4)
    near = [Near(a, score) for a, score in weighed(ranked, library.articles, surface) if score > 0]
    nearest = tuple(sorted(near, key=lambda n: -n.confidence)[: library.policy.limit])
    return NearMiss(nearest, needed) if nearest and nearest[0].confidence < needed else None


def ticket_near_miss(ticket: Ticket, *, library: Library) -> NearMiss | None:
    """What the bot nearly offered, where it stayed quiet on the ticket's first message (files alone go to a
    person whatever the articles say, and offered articles are shown as such)."""
    first = ticket.messages[0] if ticket.messages else None
    if ticket.suggested_article_ids or ticket.article_id or first is None:
        return None
    if only_files(first.text, ticket.attachments, first.ref):
        return None
    return near_miss(first.text, library=library, surface=str(ticket.surface))


def phrase(miss: NearMiss, titles: list[str]) -> str:
    """The line agents read, given the articles' titles already escaped for where they go."""
    for digits in range(2, 7):  # as many as it takes for a confidence just short not to read as the bar
        first, needed = figure(miss.confidence, digits), figure(miss.needed, digits)
        if first != needed:
            break
    shown = [f"{titles[0]} (confidence {first})"]
    shown += [f"{title} ({figure(near.confidence)})"
              for title, near in zip(titles[1:], miss.nearest[1:], strict=True)]
    return f"{', '.join(shown)}; the bot offers from {needed}"


def label(miss: NearMiss) -> str:
    """What the line is headed."""
    return "Nearest article, not offered" if len(miss.nearest) == 1 else "Nearest articles, not offered"


def figure(value: float, digits: int = 2) -> str:
    """A confidence to `digits` significant digits, never with an exponent: 0.16, 0.043, 0.2, 0.00011."""
    if value <= 0:
        return "0"
    return f"{value:.{max(digits, digits - 1 - math.floor(math.log10(value)))}f}".rstrip("0").rstrip(".")
