"""The three stored models: what each is fitted from, how it is rebuilt from a stored state and swapped in.

Each fit and each load builds new objects (on a worker thread); `swap` then points the Desk's long-lived
holders (Library, TeamRouter, CauseMatcher) at them in one assignment, so a suggestion running meanwhile
sees the old model or the new one, never half of each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from adapters.db.model_inputs import SqlModelInputs
from adapters.learnt_model import Fitted
from adapters.search.abstention import CalibratedRanker
from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import State
from adapters.search.stored import ranker_state, restore_ranker
from adapters.search.stored_index import restore_retriever, retriever_state
from adapters.search.stored_router import restore_router, router_state
from adapters.search.tfidf import TfidfRetriever
from adapters.search.traffic import ASKED
from core.cause_matching import CauseMatcher
from core.causes import Cause
from core.kb import Article, Library
from core.org import Org
from core.ports import ArticleRepository, CauseRepository
from core.team_routing import TeamRouter, escalation_label

M = TypeVar("M")


def _restored(model: M, restore: Callable[[M, State], None], state: State, context: Any) -> Fitted:
    """A new model of a kind with a stored state put back into it (it learnt nothing new: 0 examples)."""
    restore(model, state)
    return Fitted(model, context, 0)


def _stored(model: object, kind: type[M], what: str) -> M:
    """The model in use, when it is of the kind that is stored."""
    if not isinstance(model, kind):
        raise TypeError(f"only the {what} is stored")
    return model


def signature(articles: list[Article]) -> str:
    """A short fingerprint of the articles a ranker was fitted over: a change means a refit."""
    parts = sorted((a.id, a.title, a.body, list(a.tags), a.surface) for a in articles)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Lessons:
    """What the suggestion ranker learns from: (text, article id) resolutions, and the questions asked."""

    solved: list[tuple[str, str]]
    asked: list[tuple[str, bool | None]]  # text, and whether an article fitted it when a lesson says so


@dataclass
class SuggestionModel:
    """The calibrated article ranker (suggestions and their abstention)."""

    library: Library
    make: Callable[[], CalibratedRanker]
    articles: ArticleRepository
    inputs: SqlModelInputs
    name: str = "suggestions"

    async def context(self) -> list[Article]:
        return await self.articles.list()

    async def data(self) -> Lessons:
        return Lessons(await self.inputs.lessons(), await self.inputs.asked(ASKED))

    def fit(self, lessons: Lessons, articles: list[Article]) -> Fitted:
        ranker = self.make()
        scratch = Library(ranker)
        scratch.load(articles, lessons.solved)  # the same documents and history filter as inline fitting
        # where many recent questions have no article, stay quiet more
        ranker.adapt([t for t, _ in lessons.asked], [known for _, known in lessons.asked])
        return Fitted(ranker, articles, len(scratch.history))

    def load(self, state: State, articles: list[Article]) -> Fitted:
        return _restored(self.make(), restore_ranker, state, articles)

    def swap(self, fitted: Fitted) -> None:
        self.library.use(fitted.model, fitted.context)

    def state(self) -> State:
        return ranker_state(_stored(self.library.retriever, CalibratedRanker, "calibrated ranker"))

    def meta(self, articles: list[Article]) -> dict[str, Any]:
        calibration = getattr(self.library.retriever, "calibration", None)
        if calibration is None:
            return {"articles": signature(articles)}
        summary = calibration.to_dict()
        traffic = summary["traffic"] or {}
        return {"articles": signature(articles), "abstention": {
            "threshold": summary["threshold"], "history_threshold": summary["history_threshold"],
            "quiet_when": summary["quiet_when"], "asked": traffic.get("asked"),
            "estimated_no_article_share": traffic.get("estimated_no_article_share")}}

    def covers(self, meta: dict[str, Any], articles: list[Article]) -> bool:
        """Whether a model fitted with this meta knows these very articles."""
        return bool(meta.get("articles") == signature(articles))

    async def grown(self, meta: dict[str, Any], enough: int) -> bool:
        """Enough tickets resolved (or imported) since the fit, or the articles changed."""
        if await self.inputs.resolved() - int(meta.get("resolved", 0)) >= enough:
            return True
        return not self.covers(meta, await self.context())


@dataclass
class RoutingModel:
    """The team router (learnt from past escalations)."""

    router: TeamRouter
    make: Callable[[], LinearTextClassifier]
    inputs: SqlModelInputs
    org: Org
    name: str = "routing"

    async def context(self) -> int:
        return await self.inputs.escalation_events()

    async def data(self) -> list[tuple[str, str]]:
        rows = await self.inputs.escalations()
        return [(text, label) for text, to, judged in rows
                if (label := escalation_label(to, judged, self.org))]

    def fit(self, pairs: list[tuple[str, str]], _: int) -> Fitted:
        scratch = TeamRouter(self.make(), min_examples=self.router.min_examples)
        return Fitted(scratch.classifier, None, scratch.learn_pairs(pairs))

    def load(self, state: State, _: int) -> Fitted:
        scratch = TeamRouter(self.make())
        restore_router(scratch, state)
        return Fitted(scratch.classifier, None, scratch.examples)

    def swap(self, fitted: Fitted) -> None:
        self.router.classifier, self.router.examples = fitted.model, fitted.examples

    def state(self) -> State:
        return router_state(self.router)

    def meta(self, events: int) -> dict[str, Any]:
        return {"escalation_events": events}

    def covers(self, meta: dict[str, Any], _: int) -> bool:
        return True

    async def grown(self, meta: dict[str, Any], enough: int) -> bool:
        """Enough escalations made or judged since the fit (their count moved by that much)."""
        return abs(await self.context() - int(meta.get("escalation_events", 0))) >= enough


@dataclass
class CauseModel:
    """The cause matcher's index (causes and their newest ticket texts), rebuilt by re-clustering."""

    matcher: CauseMatcher
    make: Callable[[], TfidfRetriever]
    causes: CauseRepository
    inputs: SqlModelInputs
    name: str = "causes"

    async def context(self) -> list[Cause]:
        return await self.causes.list()

    async def data(self) -> dict[str, list[str]]:
        keys = [c.key for c in await self.causes.list()]
        return await self.inputs.cause_texts(keys, self.matcher.per_cause)

    def fit(self, texts: dict[str, list[str]], causes: list[Cause]) -> Fitted:
        scratch = CauseMatcher(self.make(), self.matcher.threshold, self.matcher.per_cause)
        scratch.load_texts(causes, texts)
        return Fitted(scratch.retriever, causes, sum(map(len, texts.values())))

    def load(self, state: State, causes: list[Cause]) -> Fitted:
        return _restored(self.make(), restore_retriever, state, causes)

    def swap(self, fitted: Fitted) -> None:
        self.matcher.retriever, self.matcher.causes = fitted.model, {c.key: c for c in fitted.context}

    def state(self) -> State:
        return retriever_state(_stored(self.matcher.retriever, TfidfRetriever, "TF-IDF cause index"))

    def meta(self, _: list[Cause]) -> dict[str, Any]:
        return {}

    def covers(self, meta: dict[str, Any], _: list[Cause]) -> bool:
        return True  # causes change by re-clustering, which stores a new index itself

    async def grown(self, meta: dict[str, Any], enough: int) -> bool:
        return False  # the weekly re-clustering rebuilds it (and the keeper then stores it)
