"""The fitted state of the calibrated article ranker, written to and read back from a codec.State.

Restoring fills the objects the composition root built (same classes, same settings), so a process that
loads a stored model predicts exactly what the process that fitted it predicted.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from adapters.search.abstention import CalibratedRanker
from adapters.search.answerability import Evidence
from adapters.search.article_shapes import ArticleShapes
from adapters.search.calibration import Calibration
from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import (
    State,
    csr_state,
    get_strings,
    put_strings,
    restore_csr,
    restore_vectorizer,
    vectorizer_state,
)
from adapters.search.lexicon import Lexicon
from adapters.search.ranker import LearnedRanker
from adapters.search.stored_parts import (
    classifier_state,
    features_state,
    restore_classifier,
    restore_features,
)
from adapters.search.traffic import Reading, Traffic


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
                                                 "model": answer_model_state(cal.model, state),
                                                 "reading": None if cal.reading is None
                                                 else asdict(cal.reading),
                                                 "traffic": None if cal.traffic is None
                                                 else asdict(cal.traffic)},
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
        settings=cal["settings"], model=restore_answer_model(cal["model"], state),
        # Stored before the asked questions were read: no map, so nothing to adapt until the next fit.
        reading=Reading(**cal["reading"]) if cal.get("reading") else None,
        traffic=Traffic(**cal["traffic"]) if cal.get("traffic") else None)
    dense = getattr(inner.features, "dense", None)
    ranker.evidence = restore_evidence(meta["evidence"], state, dense if callable(dense) else None,
                                       inner.claims)  # the margins come from the SVM restored above
    ranker._sizes = (int(meta["sizes"][0]), int(meta["sizes"][1]))


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
            "labels": put_strings(state, "evidence.labels", [str(x) for x in evidence.labels]),
            "lexicon": None if evidence.lexicon.seen is None else {
                "names": put_strings(state, "evidence.lexicon.names", evidence.lexicon.names),
                "seen": csr_state(evidence.lexicon.seen, state, "evidence.lexicon.seen")},
            "static": None if evidence.static is None else {
                "vectors": state.put("evidence.static", evidence.static),  # half precision (halved)
                "labels": put_strings(state, "evidence.static.labels", evidence.static_labels.tolist())}}


def restore_evidence(meta: dict[str, Any] | None, state: State, dense: Any,
                     claims: Any = None) -> Evidence | None:
    """The evidence evidence_state described; `dense` is the ranker's embedding function, if any, and
    `claims` its margins."""
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
    evidence.claims = claims
    evidence.shapes = ArticleShapes(evidence._matrix, evidence.labels)  # derived, not stored
    lexicon = meta.get("lexicon")  # a model stored before "own_words" has none, and never reads it
    evidence.lexicon = Lexicon(evidence._words, get_strings(state, lexicon["names"]),
                               restore_csr(lexicon["seen"], state)) if lexicon else Lexicon(None, [], None)
    static = meta.get("static")  # a model stored before the static view has none: its signals read 0
    evidence.static = state.get(static["vectors"]) if static else None
    evidence.static_labels = np.asarray(get_strings(state, static["labels"]) if static else [], dtype=str)
    evidence.static_shapes = ArticleShapes(evidence.static, evidence.static_labels, spread=False)
    return evidence
