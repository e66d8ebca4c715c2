"""Wiring of the stored learnt models: how to build each one fresh, and the keeper over the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapters.db.claims import SqlJobClaims
from adapters.db.model_inputs import SqlModelInputs
from adapters.db.model_store import SqlModelStore
from adapters.db.repositories import SqlRepositories
from adapters.learnt_model import Model
from adapters.loaded_models import LoadedModels
from adapters.model_keeper import ModelKeeper
from adapters.model_kinds import CauseModel, RoutingModel, SuggestionModel
from adapters.search.abstention import CalibratedRanker
from adapters.search.classifier import LinearTextClassifier
from adapters.search.features import best_features, best_features_maker
from adapters.search.ranker import LearnedRanker
from adapters.search.tfidf import TfidfRetriever
from core.desk import Desk


@dataclass(frozen=True)
class Makers:
    """Fresh, unfitted instances of each learnt model, as production wires them."""

    ranker: Callable[[], CalibratedRanker]
    classifier: Callable[[], LinearTextClassifier]
    cause_index: Callable[[], TfidfRetriever]


def production_makers() -> Makers:
    """The offline back ends: semantic features when the extra is installed, TF-IDF otherwise."""
    make_features = best_features_maker()  # one embedding cache for every cross-validation fold
    return Makers(
        # The abstention threshold and the shown confidence are learnt from this deployment's history
        # with whole articles held out (adapters/search/abstention.py).
        ranker=lambda: CalibratedRanker(lambda: LearnedRanker(make_features())),
        classifier=lambda: LinearTextClassifier(best_features()),  # routing learns from past escalations
        cause_index=lambda: TfidfRetriever(chars=False),  # words only: under 1 ms a ticket at 100k tickets
    )


def model_keeper(desk: Desk, repos: SqlRepositories, makers: Makers, *, examples: int,
                 loaded: LoadedModels | None = None) -> ModelKeeper:
    """The keeper of this desk's models: suggestions, routing (when wired) and the cause index."""
    inputs = SqlModelInputs(repos.sessions)
    inputs.limit = examples
    models: list[Model] = [SuggestionModel(desk.library, makers.ranker, desk.articles, inputs)]
    if desk.router is not None:
        models.append(RoutingModel(desk.router, makers.classifier, inputs, desk.org))
    models.append(CauseModel(desk.matcher, makers.cause_index, desk.causes, inputs))
    return ModelKeeper(models, SqlModelStore(repos.sessions), inputs, clock=desk.clock,
                       claims=SqlJobClaims(repos.sessions), refit=True, loaded=loaded)
