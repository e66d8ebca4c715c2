"""Knowledge articles and the suggestion of up to three of them for a help request."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ports import Retriever


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


@dataclass(frozen=True)
class SuggestionPolicy:
    limit: int = 3
    min_score: float = 0.12  # below this the bot abstains: "no article fits"


@dataclass
class Suggestions:
    items: list[Suggestion] = field(default_factory=list)

    @property
    def abstained(self) -> bool:
        """True when no article was good enough to offer."""
        return not self.items


class Library:
    """The knowledge base in memory, indexed for suggestion; reloaded after an import."""

    def __init__(self, retriever: Retriever, policy: SuggestionPolicy = SuggestionPolicy()) -> None:
        self.retriever = retriever
        self.policy = policy
        self.articles: dict[str, Article] = {}

    def load(self, articles: list[Article]) -> None:
        """Replace the indexed articles."""
        self.articles = {a.id: a for a in articles}
        self.retriever.fit([(a.id, f"{a.title}\n{a.title}\n{' '.join(a.tags)}\n{a.body}") for a in articles])

    def suggest(self, text: str, surface: str | None = None) -> Suggestions:
        """Up to three articles for a message, or none when nothing fits."""
        return suggest(
            text, articles=self.articles, retriever=self.retriever, surface=surface, policy=self.policy
        )


def suggest(
    text: str,
    *,
    articles: dict[str, Article],
    retriever: Retriever,
    surface: str | None = None,
    policy: SuggestionPolicy = SuggestionPolicy(),
) -> Suggestions:
    """Rank articles for a message; offer at most `limit`, or none when nothing fits."""
    ranked = retriever.search(text, limit=policy.limit * 4)
    items: list[Suggestion] = []
    for article_id, score in ranked:
        article = articles.get(article_id)
        if article is None or score < policy.min_score:
            continue
        if surface and article.surface and article.surface != surface:
            score *= 0.8  # an article written for the other queue still helps, a little less
            if score < policy.min_score:
                continue
        items.append(Suggestion(article=article, score=round(score, 4)))
    items.sort(key=lambda s: -s.score)
    return Suggestions(items=items[: policy.limit])
