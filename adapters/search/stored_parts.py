"""The learnt parts several stored models share: text features and the linear classifier."""

from __future__ import annotations

from typing import Any

import numpy as np

from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import (
    State,
    get_strings,
    put_strings,
    restore_svc,
    restore_vectorizer,
    svc_state,
    vectorizer_state,
)
from adapters.search.features import CombinedFeatures, LexicalFeatures
from adapters.search.neighbours import NeighbourMemory


def features_state(features: Any, state: State, name: str) -> dict[str, Any]:
    """Lexical vocabularies and weights; the semantic half is pretrained and ships in its package."""
    if isinstance(features, CombinedFeatures):
        return {"kind": "combined", "weight": features.semantic_weight, "encoder": features.semantic.name,
                "lexical": features_state(features.lexical, state, f"{name}.lexical")}
    if isinstance(features, LexicalFeatures):
        return {"kind": "lexical", "words": vectorizer_state(features._words, state, f"{name}.words"),
                "chars": vectorizer_state(features._chars, state, f"{name}.chars")}
    raise TypeError(f"cannot store features of type {type(features).__name__}")


def restore_features(features: Any, meta: dict[str, Any], state: State) -> None:
    """Fill fitted features of the same kind from features_state's output."""
    if isinstance(features, CombinedFeatures) and meta["kind"] == "combined":
        encoder = meta.get("encoder", "minilm")  # stored before MPNet: MiniLM was the only one
        if encoder != features.semantic.name:  # its vectors would not be comparable: the keeper fits anew
            raise ValueError(f"stored features embed with {encoder}, not {features.semantic.name}")
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
