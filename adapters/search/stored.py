"""The fitted state of each learnt model, written to and read back from a codec.State.

Restoring fills the objects the composition root built (same classes, same settings), so a process that
loads a stored model predicts exactly what the process that fitted it predicted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from adapters.search.abstention import CalibratedRanker, Calibration
from adapters.search.answerability import Evidence
from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import (
    State,
    csr_state,
    get_strings,
    put_strings,
    restore_csr,
    restore_svc,
    restore_vectorizer,
    svc_state,
    vectorizer_state,
)
from adapters.search.features import CombinedFeatures, LexicalFeatures
from adapters.search.neighbours import NeighbourMemory
from adapters.search.ranker import LearnedRanker
from adapters.search.tfidf import PostingsIndex, TfidfRetriever
from core.team_routing import TeamRouter


def features_state(features: Any, state: State, name: str) -> dict[str, Any]:
    """Lexical vocabularies and weights; the semantic half is pretrained and ships in its package."""
    if isinstance(features, CombinedFeatures):
        return {"kind": "combined", "weight": features.semantic_weight,
                "lexical": features_state(features.lexical, state, f"{name}.lexical")}
    if isinstance(features, LexicalFeatures):
        return {"kind": "lexical", "words": vectorizer_state(features._words, state, f"{name}.words"),
                "chars": vectorizer_state(features._chars, state, f"{name}.chars")}
    raise TypeError(f"cannot store features of type {type(features).__name__}")


def restore_features(features: Any, meta: dict[str, Any], state: State) -> None:
    """Fill fitted features of the same kind from features_state's output."""
    if isinstance(features, CombinedFeatures) and meta["kind"] == "combined":
        features.semantic_weight = meta["weight"]
        restore_features(features.lexical, meta["lexical"], state)
    elif isinstance(features, LexicalFeatures) and meta["kind"] == "lexical":
        features._words = restore_vectorizer(meta["words"], state)
        features._chars = restore_vectorizer(meta["chars"], state)
    else:
        raise ValueError(f"stored features {meta.get('kind')!r} do not fit {type(features).__name__}")


def classifier_state(model: LinearTextClassifier, state: State, name: str, *,
                     with_features: bool) -> dict[str, Any]:
    """The SVM, its temperature and neighbour memory (and its features when it owns them)."""
    memory = model.memory
    return {
        "temperature": model.temperature, "only": model._only, "c": model.c,
        "neighbour_weight": model.neighbour_weight, "neighbour_k": model.neighbour_k,
        "ignore": sorted(model.ignore),
        "svc": svc_state(model._model, state, f"{name}.svc"),
        "features": features_state(model.features, state, f"{name}.features") if with_features else None,
        "memory": None if memory is None else {
            "vectors": state.put(f"{name}.memory.vectors", memory.vectors),
            "labels": put_strings(state, f"{name}.memory.labels", [str(x) for x in memory.labels]),
            "ignore": sorted(memory.ignore)},
    }


def restore_classifier(model: LinearTextClassifier, meta: dict[str, Any], state: State) -> None:
    """Fill a classifier built with the same settings from classifier_state's output."""
    if meta["features"] is not None:
        restore_features(model.features, meta["features"], state)
    model.temperature, model._only = float(meta["temperature"]), meta["only"]
    model._model = restore_svc(meta["svc"], state)
    memory = meta["memory"]
    model.memory = None if memory is None else NeighbourMemory(
        state.get(memory["vectors"]), np.asarray(get_strings(state, memory["labels"])),
        frozenset(memory["ignore"]))


def ranker_state(ranker: CalibratedRanker) -> State:
    """Everything the calibrated article ranker learnt: features, SVM, article matrix, calibration."""
    state, inner = State(), ranker.inner
    if not isinstance(inner, LearnedRanker):
        raise TypeError(f"cannot store a ranker of type {type(inner).__name__}")
    model = inner._model
    cal = ranker.calibration
    state.meta = {
        "ids": inner._ids, "sizes": list(ranker._sizes),
        "features": features_state(inner.features, state, "features") if inner._ids else None,
        "matrix": csr_state(inner._matrix, state, "matrix") if inner._ids else None,
        "model": None if model is None else classifier_state(model, state, "model", with_features=False),
        "calibration": None if cal is None else {"threshold": cal.threshold, "how": cal.how,
                                                 "xs": cal.xs, "ys": cal.ys, "cv": cal.cv,
                                                 "settings": cal.settings,
                                                 "model": answer_model_state(cal.model, state)},
        "evidence": evidence_state(ranker.evidence, state),
    }
    return state


def restore_ranker(ranker: CalibratedRanker, state: State) -> None:
    """Fill a freshly built calibrated ranker from ranker_state's output."""
    inner, meta = ranker.inner, state.meta
    if not isinstance(inner, LearnedRanker):
        raise TypeError(f"cannot restore into a ranker of type {type(inner).__name__}")
    inner._ids = [str(i) for i in meta["ids"]]
    inner._model, inner._matrix = None, None
    if meta["features"] is not None:
        restore_features(inner.features, meta["features"], state)
        inner._matrix = restore_csr(meta["matrix"], state)
    if meta["model"] is not None:
        saved = meta["model"]
        model = LinearTextClassifier(inner.features, fit_features=False, c=saved["c"],
                                     neighbour_weight=saved["neighbour_weight"],
                                     neighbour_k=saved["neighbour_k"], ignore=frozenset(saved["ignore"]))
        restore_classifier(model, meta["model"], state)
        inner._model = model
    cal = meta["calibration"]
    ranker.calibration = None if cal is None else Calibration(
        threshold=cal["threshold"], how=cal["how"], xs=cal["xs"], ys=cal["ys"], cv=cal["cv"],
        settings=cal["settings"], model=restore_answer_model(cal["model"], state))
    dense = getattr(inner.features, "dense", None)
    ranker.evidence = restore_evidence(meta["evidence"], state, dense if callable(dense) else None)
    ranker._sizes = (int(meta["sizes"][0]), int(meta["sizes"][1]))


def retriever_state(retriever: TfidfRetriever) -> State:
    """The cause matcher's index: document ids and the word and character postings."""
    state = State()
    state.meta = {"ids": retriever._ids,
                  "words": postings_state(retriever._words, state, "words"),
                  "chars": postings_state(retriever._chars, state, "chars")}
    return state


def restore_retriever(retriever: TfidfRetriever, state: State) -> None:
    """Fill a TF-IDF retriever from retriever_state's output."""
    retriever._ids = [str(i) for i in state.meta["ids"]]
    retriever._words = restore_postings(state.meta["words"], state)
    retriever._chars = restore_postings(state.meta["chars"], state)


def postings_state(index: PostingsIndex | None, state: State, name: str) -> dict[str, Any] | None:
    """A postings index: its vectorizer and its term -> documents matrix."""
    if index is None:
        return None
    return {"vectorizer": vectorizer_state(index.vectorizer, state, f"{name}.vectorizer"),
            "by_term": csr_state(index._by_term, state, f"{name}.by_term"), "size": index.size}


def restore_postings(meta: dict[str, Any] | None, state: State) -> PostingsIndex | None:
    """The postings index postings_state described."""
    if meta is None:
        return None
    vectorizer = restore_vectorizer(meta["vectorizer"], state)
    assert vectorizer is not None
    return PostingsIndex.restored(vectorizer, restore_csr(meta["by_term"], state), int(meta["size"]))


def router_state(router: TeamRouter) -> State:
    """The team router: how many escalations it learnt from, and its classifier with its features."""
    if not isinstance(router.classifier, LinearTextClassifier):
        raise TypeError(f"cannot store a classifier of type {type(router.classifier).__name__}")
    state = State()
    state.meta = {"examples": router.examples,
                  "classifier": classifier_state(router.classifier, state, "classifier", with_features=True)}
    return state


def restore_router(router: TeamRouter, state: State) -> None:
    """Fill a freshly built team router from router_state's output."""
    if not isinstance(router.classifier, LinearTextClassifier):
        raise TypeError(f"cannot restore into a classifier of type {type(router.classifier).__name__}")
    restore_classifier(router.classifier, state.meta["classifier"], state)
    router.examples = int(state.meta["examples"])


def answer_model_state(model: Any, state: State) -> dict[str, Any] | None:
    """The learnt abstention's answer model: a standard scaler and a logistic regression."""
    if model is None:
        return None
    scaler, logistic = model.steps[0][1], model.steps[-1][1]
    return {"mean": state.put("answer.mean", scaler.mean_), "scale": state.put("answer.scale", scaler.scale_),
            "var": state.put("answer.var", scaler.var_), "coef": state.put("answer.coef", logistic.coef_),
            "intercept": state.put("answer.intercept", logistic.intercept_),
            "classes": state.put("answer.classes", logistic.classes_), "c": logistic.C,
            "max_iter": logistic.max_iter}


def restore_answer_model(meta: dict[str, Any] | None, state: State) -> Any:
    """The pipeline answer_model_state described, predicting what the fitted one predicted."""
    if meta is None:
        return None
    scaler, logistic = StandardScaler(), LogisticRegression(C=meta["c"], max_iter=meta["max_iter"])
    scaler.mean_, scaler.scale_, scaler.var_ = (state.get(meta[k]) for k in ("mean", "scale", "var"))
    scaler.n_features_in_ = len(scaler.mean_)
    logistic.coef_, logistic.intercept_ = state.get(meta["coef"]), state.get(meta["intercept"])
    logistic.classes_, logistic.n_features_in_ = state.get(meta["classes"]), logistic.coef_.shape[1]
    return make_pipeline(scaler, logistic)


def evidence_state(evidence: Evidence | None, state: State) -> dict[str, Any] | None:
    """The abstention's evidence: the history's word vocabulary, its vectors and their labels."""
    if evidence is None:
        return None
    fitted = hasattr(evidence._words, "vocabulary_")
    matrix = evidence._matrix
    return {"words": vectorizer_state(evidence._words, state, "evidence.words") if fitted else None,
            "dense": evidence._dense is not None,
            "matrix": None if matrix is None else (
                {"dense": state.put("evidence.matrix", matrix)} if isinstance(matrix, np.ndarray)
                else {"sparse": csr_state(matrix, state, "evidence.matrix")}),
            "labels": put_strings(state, "evidence.labels", [str(x) for x in evidence.labels])}


def restore_evidence(meta: dict[str, Any] | None, state: State, dense: Any) -> Evidence | None:
    """The evidence evidence_state described; `dense` is the ranker's embedding function, if any."""
    if meta is None:
        return None
    evidence = Evidence.__new__(Evidence)
    evidence._words = restore_vectorizer(meta["words"], state) or TfidfVectorizer(sublinear_tf=True)
    evidence._analyse = evidence._words.build_analyzer()
    evidence._known = set(getattr(evidence._words, "vocabulary_", {}))
    evidence._dense = dense if meta["dense"] else None
    matrix = meta["matrix"]
    evidence._matrix = None if matrix is None else (
        state.get(matrix["dense"]) if "dense" in matrix else restore_csr(matrix["sparse"], state))
    evidence.labels = np.asarray(get_strings(state, meta["labels"]))
    return evidence
