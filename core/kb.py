"""Knowledge articles and the suggestion of up to three of them for a help request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from core.tickets import Resolution, Surface, Ticket


class Ranker(Protocol):
    """Ranks articles for a text from their own text and from history; see adapters/search/ranker.py."""

    def fit(self, docs: Sequence[tuple[str, str]], history: Sequence[tuple[str, str]] = ()) -> None:
        """Index (article_id, text) pairs and learn from (text, article_id) history."""
        ...

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The best article ids with a confidence from 0 to 1, best first."""
        ...


@dataclass
class Article:
    id: str
    title: str
    body: str
    surface: str | None = None  # internal, external, or None for both
    tags: tuple[str, ...] = ()
    owner: str | None = None
    url: str | None = None
    solved_count: int = 0

    def snippet(self, width: int = 140) -> str:
        """The first meaningful line of the body, cut to width."""
        for line in self.body.splitlines():
            line = line.strip().lstrip("#").strip()
            if line and not line.startswith("---"):
                return line if len(line) <= width else line[: width - 1].rstrip() + "…"
        return ""


@dataclass(frozen=True)
class Suggestion:
    article: Article
    score: float


RUNNER_UP_FLOOR = 0.005  # a calibrated chance below half a percent: noise, not a suggestion
OTHER_QUEUE = 0.8  # the weight of an article written for the other surface's queue


@dataclass(frozen=True)
class SuggestionPolicy:
    limit: int = 3
    min_score: float | None = None  # below this the bot abstains; None: the ranker's own, else 0.12
    relearn_share: float = 0.05  # refit once new history reaches this share of what the model learnt from


@dataclass
class Suggestions:
    items: list[Suggestion] = field(default_factory=list)

    @property
    def abstained(self) -> bool:
        """True when no article was good enough to offer."""
        return not self.items


LONG_ARTICLE_WORDS = 120
NO_ARTICLE = ""  # the article_id of history that no article answered: it teaches the ranker to abstain


class Library:
    """The knowledge base in memory, indexed for suggestion; it learns from tickets articles solved."""

    def __init__(self, retriever: Ranker, policy: SuggestionPolicy = SuggestionPolicy()) -> None:
        self.retriever = retriever
        self.policy = policy
        self.articles: dict[str, Article] = {}
        self.history: list[tuple[str, str]] = []
        self._learnt = 0  # history size at the last fit
        self._stale = False  # new history waits here until the next suggestion refits the ranker
        # False where a background job refits from the database (adapters/model_keeper.py): a click or a
        # new article then never costs a whole-model fit on the request path.
        self.refit_inline = True
        self.on_change: Callable[[], None] | None = None  # without inline refits: asks for a background one

    def load(self, articles: list[Article], history: Iterable[tuple[str, str]] = ()) -> None:
        """Replace the indexed articles and the (text, article_id) history they learn from."""
        self.articles = {a.id: a for a in articles}
        self.history = [(text, aid) for text, aid in history
                        if (aid in self.articles or aid == NO_ARTICLE) and text.strip()]
        self._learnt, self._stale = len(self.history), True
        self.refit()  # fit now, so the first requester does not wait for a model to load

    def use(self, retriever: Ranker, articles: list[Article]) -> None:
        """Serve a ranker fitted elsewhere (a stored model, or a background fit) over these articles."""
        self.retriever, self.articles = retriever, {a.id: a for a in articles}
        self.history, self._learnt, self._stale = [], 0, False

    def add(self, article: Article) -> None:
        """Index a new or changed article; the next suggestion (or background refit) refits with it."""
        self.articles[article.id] = article
        self._stale = self.refit_inline
        if not self.refit_inline and self.on_change is not None:
            self.on_change()  # refitted off the request path; suggested once that fit is swapped in

    def learn(self, text: str, article_id: str) -> bool:
        """Remember that an article (or NO_ARTICLE) answered a text; True when that triggers a refit."""
        if (article_id not in self.articles and article_id != NO_ARTICLE) or not text.strip():
            return False
        self.history.append((text, article_id))
        if not self.refit_inline:
            return False
        # Refitting is whole-model work: batch it, so a click costs nothing and a burst costs one fit.
        if len(self.history) - self._learnt >= max(1, int(self._learnt * self.policy.relearn_share)):
            self._learnt, self._stale = len(self.history), True
            return True
        return False

    def refit(self) -> None:
        """Fit the ranker now if articles or history changed since the last fit."""
        if not self._stale:
            return
        docs = [(a.id, article_text(a)) for a in self.articles.values()]
        # A long article dilutes a short question's similarity; its title and tags, indexed as a second
        # view, let "VPN keeps dropping" meet "VPN disconnects" at cold start. Short articles need none.
        docs += [(a.id, f"{a.title}\n{' '.join(a.tags)}") for a in self.articles.values()
                 if len(a.body.split()) > LONG_ARTICLE_WORDS]
        if self.history:
            self.retriever.fit(docs, self.history)
        else:
            self.retriever.fit(docs)
        self._stale = False

    def suggest(self, text: str, surface: str | None = None) -> Suggestions:
        """Up to three articles for a message, or none when nothing fits."""
        self.refit()
        return suggest(
            text, articles=self.articles, retriever=self.retriever, surface=surface, policy=self.policy
        )


def solved_history(tickets: Iterable[Ticket]) -> list[tuple[str, str]]:
    """(text, article_id) for every ticket an article solved: what the ranker learns from."""
    return [(t.text or t.subject, t.article_id) for t in tickets
            if t.resolution == Resolution.ARTICLE and t.article_id and (t.text or t.subject)]


def lesson(ticket: Ticket) -> tuple[str, str] | None:
    """What a resolved ticket teaches the ranker: (text, article_id), (text, NO_ARTICLE), or nothing."""
    pair = solved_history([ticket]) or declined_history([ticket])
    return pair[0] if pair else None


def declined_history(tickets: Iterable[Ticket]) -> list[tuple[str, str]]:
    """(text, NO_ARTICLE) for tickets whose suggested articles did not solve them and a person did.

    The bot offered articles, the requester clicked "I still need help", and an agent or a fix solved
    the ticket: the knowledge base had nothing that fitted. A requester who just went quiet, or an
    imported ticket with no suggestions on record, does not count: an agent answering is not, alone,
    evidence that no article fits.
    """
    return [(t.text or t.subject, NO_ARTICLE) for t in tickets if declined(t)]


def declined(ticket: Ticket) -> bool:
    """Whether a resolved ticket teaches that no article fits it (see declined_history)."""
    return (ticket.resolution in (Resolution.AGENT, Resolution.FIX) and not ticket.article_id
            and bool(ticket.suggested_article_ids) and ticket.asked_for_person
            and bool(ticket.text or ticket.subject))


def article_text(article: Article) -> str:
    """The text an article is indexed by: title twice (it names the problem), tags, then the body."""
    return f"{article.title}\n{article.title}\n{' '.join(article.tags)}\n{article.body}"


def suggest(
    text: str,
    *,
    articles: dict[str, Article],
    retriever: Ranker,
    surface: str | None = None,
    policy: SuggestionPolicy = SuggestionPolicy(),
) -> Suggestions:
    """Rank articles for a message; offer at most `limit`, or none when nothing fits."""
    ranked = retriever.search(text, limit=policy.limit * 4)
    floor = abstain_below(retriever, policy)
    shown = [score for aid, score in ranked if aid in articles and visible_on(articles[aid], surface)]
    if shown and getattr(retriever, "per_question", False) and shown[0] >= floor:
        # Its confidence says whether any article fits (adapters/search/abstention.py): once the best
        # clears the floor the bot speaks, and the runners-up are offered beside it unless the ranker
        # gives them next to no chance (a refund article beside the VPN one helps nobody).
        floor = min(floor, RUNNER_UP_FLOOR)
    items = [Suggestion(article=a, score=round(score, 4))
             for a, score in weighed(ranked, articles, surface) if score >= floor]
    items.sort(key=lambda s: -s.score)
    return Suggestions(items=items[: policy.limit])


def weighed(ranked: Sequence[tuple[str, float]], articles: dict[str, Article],
            surface: str | None) -> list[tuple[Article, float]]:
    """The ranked articles that may be shown on a surface, each once, in rank order, with an article written
    for the other queue weighed down: it still helps, a little less."""
    out: list[tuple[Article, float]] = []
    seen: set[str] = set()
    for article_id, score in ranked:
        article = articles.get(article_id)
        if article is None or article_id in seen or not visible_on(article, surface):
            continue  # internal knowledge never reaches a customer, however well it scores
        seen.add(article_id)
        other_queue = bool(surface and article.surface and article.surface != surface)
        out.append((article, score * OTHER_QUEUE if other_queue else score))
    return out


def visible_on(article: Article, surface: str | None) -> bool:
    """Whether an article may be shown on a surface: an internal one never on the external surface."""
    return not (surface == Surface.EXTERNAL and article.surface == Surface.INTERNAL)


def abstain_below(retriever: Ranker, policy: SuggestionPolicy) -> float:
    """The confidence under which no article is offered: the policy's, else the ranker's calibrated one."""
    if policy.min_score is not None:
        return policy.min_score
    return float(getattr(retriever, "abstain_below", 0.12))
