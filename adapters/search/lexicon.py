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
        if seen is not None:
            seen.sort_indices()  # own_words searches each row's indices, restored ones too
        self._row = {name: i for i, name in enumerate(self.names)}
        self._vocabulary: dict[str, int] = getattr(vectorizer, "vocabulary_", {})  # the vectorizer's own
        idf = np.asarray(getattr(vectorizer, "idf_", ()), dtype=float)
        self._unknown = float(idf.max()) if idf.size else 1.0
        self._weights: list[float] = idf.tolist()

    @classmethod
    def of(cls, vectorizer: Any, words: Any, labels: np.ndarray) -> Lexicon:
        """The lexicon of a history: `words` its rows over the vectorizer's vocabulary, `labels` their
        articles (NO_ARTICLE rows belong to none)."""
        names, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
        rows = np.flatnonzero(names[inverse] != NO_ARTICLE)  # "I still need help" rows belong to no article
        if words is None or not rows.size:
            return cls(vectorizer, [], None)
        owner = csr_matrix((np.ones(rows.size), (inverse[rows], rows)), shape=(len(names), words.shape[0]))
        articles = names != NO_ARTICLE
        used = csr_matrix(words, dtype=float, copy=True)  # the evidence keeps its weights
        used.data[:] = 1.0
        seen = csr_matrix(owner[articles] @ used)
        seen.data[:] = 1.0
        return cls(vectorizer, [str(n) for n in names[articles]], seen)

    def own_words(self, tokens: Sequence[Sequence[str]], first: Sequence[str] | np.ndarray) -> np.ndarray:
        """Per question (its tokens, its first article), the IDF-weighted share of its words that article
        has used; 0 without words, or where the first article has none."""
        out = np.zeros(len(tokens))
        if self.seen is None:
            return out
        indices, bounds = self.seen.indices, self.seen.indptr
        for i, (ts, name) in enumerate(zip(tokens, first, strict=True)):
            row = self._row.get(str(name))
            if row is None or not ts:
                continue
            # Weights in plain Python, membership by one search of the article's sorted word indices (a view,
            # nothing kept per article): numpy's per-call overhead over a dozen words made a light suggestion
            # 1.22x slower with five calls per question (python -m bench.suggest_cost --light).
            ids = [self._vocabulary.get(t, -1) for t in ts]
            weights = [self._unknown if j < 0 else self._weights[j] for j in ids]
            used = indices[bounds[row]:bounds[row + 1]]
            if not len(used):
                continue
            wanted = np.asarray(ids)
            found = used[np.minimum(np.searchsorted(used, wanted), len(used) - 1)] == wanted
            out[i] = float(np.dot(found, weights)) / sum(weights)
        return out
