"""Which words each article's own questions have used: a question whose rarer words its first article has
never met is less likely about that article, however near it lies (evidence for
adapters/search/answerability.py, "own_words").

Embeddings place "what's the weather on Mars" beside the weather article; its rarest word was never in a
weather question. Words are counted by IDF, so "what" and "is", in every article, weigh little, and a word
the deployment has never seen weighs as much as its rarest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from core.kb import NO_ARTICLE


class Lexicon:
    """Per article (`names`), the word indices its questions and body used (`seen`: one CSR row each)."""

    def __init__(self, vectorizer: Any, names: Sequence[str], seen: csr_matrix | None) -> None:
        self.names, self.seen = list(names), seen
        self._row = {name: i for i, name in enumerate(self.names)}
        self._vocabulary: dict[str, int] = dict(getattr(vectorizer, "vocabulary_", {}))
        idf = getattr(vectorizer, "idf_", None)
        self._idf = np.asarray(idf, dtype=float) if idf is not None else np.zeros(0)
        self._unknown = float(self._idf.max()) if self._idf.size else 1.0
        self._weights: list[float] = self._idf.tolist()
        self._sets: dict[int, frozenset[int]] = {}

    @classmethod
    def of(cls, vectorizer: Any, words: Any, labels: np.ndarray) -> Lexicon:
        """The lexicon of a history: `words` its rows over the vectorizer's vocabulary, `labels` their
        articles (NO_ARTICLE rows belong to none)."""
        names = sorted({str(x) for x in labels} - {NO_ARTICLE})
        if words is None or not names:
            return cls(vectorizer, [], None)
        index = {name: i for i, name in enumerate(names)}
        rows = np.flatnonzero(np.asarray([str(x) != NO_ARTICLE for x in labels]))
        owner = csr_matrix((np.ones(len(rows)), ([index[str(labels[r])] for r in rows], rows)),
                           shape=(len(names), words.shape[0]))
        used = csr_matrix(words, dtype=float, copy=True)  # the evidence keeps its weights
        used.data[:] = 1.0
        seen = csr_matrix(owner @ used)
        seen.data[:] = 1.0
        seen.sort_indices()
        return cls(vectorizer, names, seen)

    def own_words(self, tokens: Sequence[Sequence[str]], first: Sequence[str] | np.ndarray) -> np.ndarray:
        """Per question (its tokens, its first article), the IDF-weighted share of its words that article
        has used; 0 without words, or where the first article has none."""
        out = np.zeros(len(tokens))
        if self.seen is None:
            return out
        for i, (ts, name) in enumerate(zip(tokens, first, strict=True)):
            row = self._row.get(str(name))
            if row is None or not ts:
                continue
            # Plain Python over a question's dozen words: numpy's per-call overhead was a fifth of a
            # suggestion (python -m bench.suggest_cost --light).
            used, total, hit = self._used(row), 0.0, 0.0
            for t in ts:
                j = self._vocabulary.get(t)
                weight = self._unknown if j is None else self._weights[j]
                total += weight
                hit += weight if j is not None and j in used else 0.0
            out[i] = hit / total
        return out

    def _used(self, row: int) -> frozenset[int]:
        """The word indices one article used, as a set (built on first use, then kept)."""
        used = self._sets.get(row)
        if used is None and self.seen is not None:
            used = frozenset(self.seen.indices[self.seen.indptr[row]:self.seen.indptr[row + 1]].tolist())
            self._sets[row] = used
        return used or frozenset()
