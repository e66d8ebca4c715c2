"""How a question sits beside one article's own questions: near their centre, and as close to them as they are
to each other? Evidence that the article fits beyond the ranker's odds (adapters/search/answerability.py).

Some articles' questions are tight (one phrasing of one problem), others spread over many phrasings; the same
cosine means more beside the first than beside the second. So a question's nearest questions of its first
article count against how near that article's questions are to each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import normalize

from core.kb import NO_ARTICLE

OWN = 5  # the first article's nearest questions that "fit_own" averages
SAMPLE = 200  # an article's questions that measure how close they lie to each other: bounds the cost


class ArticleShapes:
    """Each article's centre (`centres`: one unit column per article) and how close its questions lie to
    each other, over the history's vectors."""

    def __init__(self, matrix: Any, labels: np.ndarray, *, spread: bool = True) -> None:
        names, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
        order = np.argsort(inverse, kind="stable")  # each article's rows together, in history order
        bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
        rows = {str(n): order[bounds[i]:bounds[i + 1]] for i, n in enumerate(names) if n != NO_ARTICLE}
        self.names: list[str] = list(rows)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._rows = rows
        self.centres: Any = None
        self.spread = np.zeros(len(self.names))
        if matrix is None or not self.names:
            return
        # Stored transposed and contiguous: a sparse question times a strided view copied it every call
        # (1.7 ms a question on CLINC150's 5,000 words, a third of a suggestion).
        self.centres = np.ascontiguousarray(
            normalize(np.vstack([_mean(matrix[self._rows[n]]) for n in self.names])).T)
        if spread:  # only "fit_own" reads it, and the static view asks only for the centres
            self.spread = np.array([_closeness(matrix[self._rows[n][-SAMPLE:]]) for n in self.names])

    def rows_of(self, names: list[str]) -> np.ndarray:
        """The rows of these articles' questions (articles without vectors have none)."""
        found = [self._rows[n] for n in dict.fromkeys(names) if n in self._rows]  # each article once
        return np.concatenate(found) if found else np.zeros(0, dtype=int)

    def cosines(self, query: Any) -> np.ndarray:
        """Per question and article: the cosine to the article's centre (no columns without vectors)."""
        if self.centres is None:
            return np.zeros((query.shape[0], 0))
        return np.asarray(query @ self.centres, dtype=float)  # sparse or dense times dense: an ndarray

    def nearest(self, cosines: np.ndarray, k: int) -> list[list[str]]:
        """Per question (its `cosines` row): the k articles whose centres lie nearest it, nearest first."""
        k = min(k, cosines.shape[1])
        if k <= 0:
            return [[] for _ in range(len(cosines))]
        best = np.argpartition(-cosines, k - 1, axis=1)[:, :k]
        ranked = np.argsort(-np.take_along_axis(cosines, best, axis=1), axis=1)
        return [[self.names[j] for j in row] for row in np.take_along_axis(best, ranked, axis=1)]

    def signals(self, query: Any, sims: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Per question: cosine to its first article's centre ("fit_centroid"), and the mean cosine of that
        article's OWN nearest questions less how close they lie to each other ("fit_own"); 0 where the first
        article has no vectors."""
        out = np.zeros((len(first), 2))
        if self.centres is None:
            return out
        known = self._known(first)
        out[:, 0] = self._at(self.cosines(query), known)
        for i in np.flatnonzero(known >= 0):
            own = sims[i, self._rows[self.names[known[i]]]]
            k = min(OWN, len(own))
            out[i, 1] = np.partition(own, len(own) - k)[-k:].mean() - self.spread[known[i]]
        return out

    def centre_cosine(self, cosines: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Per question (its `cosines` row): the cosine to its first article's centre; 0 where that article
        has no vectors."""
        return self._at(cosines, self._known(first))

    @staticmethod
    def _at(cosines: np.ndarray, known: np.ndarray) -> np.ndarray:
        out = np.zeros(len(known))
        if cosines.shape[1]:
            rows = np.flatnonzero(known >= 0)
            out[rows] = cosines[rows, known[rows]]
        return out

    def _known(self, first: np.ndarray) -> np.ndarray:
        return np.array([self._index.get(str(f), -1) for f in first], dtype=int)


def _mean(rows: Any) -> np.ndarray:
    return np.asarray(rows.mean(axis=0)).ravel()


def _closeness(rows: Any) -> float:
    """The median, over an article's questions, of the mean cosine of its OWN nearest other questions."""
    n = rows.shape[0]
    if n < 2:
        return 0.0  # one question: nothing to measure; its cosines count as they are
    sims = rows @ rows.T
    sims = np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims, dtype=float)
    np.fill_diagonal(sims, -np.inf)
    k = min(OWN, n - 1)
    return float(np.median(np.sort(sims, axis=1)[:, -k:].mean(axis=1)))
