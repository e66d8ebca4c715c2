"""A linear text classifier with calibrated probabilities: routes to teams and ranks articles from history."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
from sklearn.svm import LinearSVC

from adapters.search.codec import halved
from adapters.search.neighbours import Near, NeighbourMemory

# Neighbour votes keep the latest examples of each label: memory and the cost of a query stay bounded
# however long the history grows (Banking77 has about 130 per label).
MEMORY_PER_LABEL = 500
TEMPERATURES = (0.03, 0.05, 0.08, 0.12, 0.18, 0.25, 0.35, 0.5, 0.75, 1.0)


class Features(Protocol):
    @property
    def name(self) -> str: ...

    def fit(self, texts: Sequence[str]) -> None: ...
    def transform(self, texts: Sequence[str]) -> Any: ...


def latest_per_label(labels: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the last `limit` examples of each label, in their original order."""
    counts: dict[str, int] = {}
    keep = []
    for i in range(len(labels) - 1, -1, -1):
        label = labels[i]
        if counts.get(label, 0) < limit:
            counts[label] = counts.get(label, 0) + 1
            keep.append(i)
    return np.array(keep[::-1], dtype=int)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of scores / temperature."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    probabilities: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return probabilities


class LinearTextClassifier:
    """Linear SVM on text features; a softmax temperature fitted on held-out rows turns margins into odds.

    With `neighbour_weight` and features that offer dense unit vectors (`dense`), each label's margin also
    gains the summed cosine of its examples among the text's `neighbour_k` nearest training examples.
    """

    def __init__(self, features: Features, *, fit_features: bool = True, c: float = 1.0,
                 seed: int = 0, neighbour_weight: float = 0.0, neighbour_k: int = 5,
                 ignore: frozenset[str] = frozenset()) -> None:
        self.features = features
        self.fit_features = fit_features
        self.c = c
        self.seed = seed
        self.temperature = 0.12
        self.neighbour_weight = neighbour_weight
        self.neighbour_k = neighbour_k
        self.ignore = ignore  # labels that are learnt but never vote (e.g. "no article fits")
        self._model: LinearSVC | None = None
        self._only: str | None = None  # the single label when history knows just one
        self.memory: NeighbourMemory | None = None  # unit vectors of the examples, when dense
        self._last: tuple[tuple[str, ...], Any, np.ndarray] | None = None  # the last question's margins

    def dense(self) -> Callable[[Sequence[str]], np.ndarray] | None:
        """The features' dense unit vectors, when they offer them and neighbours are wanted."""
        dense = getattr(self.features, "dense", None)
        return dense if self.neighbour_weight > 0 and callable(dense) else None

    @property
    def labels(self) -> list[str]:
        """The labels it can predict."""
        if self._model is not None:
            return [str(c) for c in self._model.classes_]
        return [self._only] if self._only else []

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        """Learn from (text, label) examples, replacing what was learnt before."""
        if self.fit_features:
            self.features.fit(texts)
        self._model, self._only = None, None
        distinct = set(labels)
        if len(distinct) < 2:
            self._only = next(iter(distinct), None)
            return
        x = self.features.transform(texts)
        y = np.asarray(labels)
        if len(labels) >= 200:
            self.temperature = self._calibrate(x, y)
        self._model = LinearSVC(C=self.c).fit(x, y)
        # Weights held as float32 (CLINC150's light ranker: 151 x 66,183, 80 MB as float64) and rounded to
        # half precision, as they are stored (codec.halved): a stored model is the fitted one, at a quarter
        # of float64's bytes. Validation: docs/quality.md, session 18.
        self._model.coef_ = halved(self._model.coef_)
        dense = self.dense()
        if dense is not None:
            keep = latest_per_label(y, MEMORY_PER_LABEL)
            self.memory = NeighbourMemory(halved(dense([texts[i] for i in keep])), y[keep], self.ignore)
        else:
            self.memory = None

    def _calibrate(self, x: Any, y: np.ndarray) -> float:
        """The temperature that best predicts held-out labels (lowest log loss on a 10% split)."""
        order = list(range(len(y)))
        random.Random(self.seed).shuffle(order)
        cut = max(20, len(order) // 10)
        held, kept = np.array(order[:cut]), np.array(order[cut:])
        if len(set(y[kept])) < 2:
            return self.temperature
        model = LinearSVC(C=self.c).fit(x[kept], y[kept])
        scores = model.decision_function(x[held])
        known = np.isin(y[held], model.classes_)
        if not known.any():
            return self.temperature
        truth = np.searchsorted(model.classes_, y[held][known])
        scores = scores[known]
        rows = np.arange(len(truth))
        losses = [-np.log(softmax(scores, t)[rows, truth] + 1e-12).mean() for t in TEMPERATURES]
        return TEMPERATURES[int(np.argmin(losses))]

    def predict(self, texts: Sequence[str], limit: int = 3,
                near: Near | None = None) -> list[list[tuple[str, float]]]:
        """For each text, the most likely labels with a probability, best first.

        Neighbour votes only reorder the labels. The i-th label gets the SVM's i-th highest calibrated
        probability, so the confidence that decides abstention is the SVM's alone: with the votes in
        it, out-of-scope questions looked surer (CLINC150 validation: abstain recall 0.82 against 0.87).
        `near`: the texts' nearest examples, when the caller looked them up already (at least
        `neighbour_k` each).
        """
        if self._model is None:
            return [[(self._only, 1.0)] if self._only else [] for _ in texts]
        if len(self._model.classes_) == 2:  # two classes: sklearn gives one margin column
            return self._binary(texts)
        margins = self.margins(texts)
        probs = softmax(margins, self.temperature)
        dense = self.dense()
        order = margins
        if dense is not None and self.memory is not None:
            near = near or self.memory.nearest(dense(texts), self.neighbour_k)
            order = margins + self.neighbour_weight * self.memory.votes(near, self._model.classes_,
                                                                        self.neighbour_k)
        top = np.argsort(-order, axis=1)[:, :limit]
        ranked = -np.sort(-probs, axis=1)[:, :limit]
        classes = self._model.classes_
        return [[(str(classes[j]), float(p)) for j, p in zip(idx, row, strict=True)]
                for idx, row in zip(top, ranked, strict=True)]

    def margins(self, texts: Sequence[str]) -> np.ndarray:
        """The SVM's margin for every label (columns in `labels` order), one row per text; no columns
        before there are two labels."""
        if self._model is None:
            return np.zeros((len(texts), 0))
        key, last = tuple(texts), self._last  # one read: another thread may replace it meanwhile
        if last is not None and last[0] == key and last[1] is self._model:
            return last[2]
        margin = self._model.decision_function(self.features.transform(texts))
        if len(self._model.classes_) == 2:  # one column: the second class's margin, the first's is its mirror
            out = np.column_stack([-margin, margin]) / 2
        else:
            out = np.atleast_2d(margin)
        out.setflags(write=False)  # may be shared with the next caller of the same text
        if len(key) == 1:
            # A suggestion asks for its one question's margins twice (its odds, then the abstention's
            # evidence, LearnedRanker.claims): the second is read from here (bench/suggest_cost.py). Batches
            # are not kept: nothing asks for one twice, and they would hold memory for nothing.
            self._last = (key, self._model, out)
        return out

    def _binary(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        assert self._model is not None
        probs = softmax(self.margins(texts), self.temperature)
        a, b = (str(c) for c in self._model.classes_)
        return [sorted([(a, float(p[0])), (b, float(p[1]))], key=lambda kv: -kv[1]) for p in probs]
