"""Lexical retrieval with scikit-learn TF-IDF: light, offline, and good enough to start."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel


class TfidfRetriever:
    """Cosine similarity over word and character n-gram TF-IDF (typos and plurals still match)."""

    name = "tfidf"

    def __init__(self, chars: bool = True) -> None:
        self.chars = chars  # character n-grams catch typos but cost ~10x per query on large indexes
        self._ids: list[str] = []
        self._words: TfidfVectorizer | None = None
        self._chars: TfidfVectorizer | None = None
        self._wm = None
        self._cm = None

    def fit(self, docs: Sequence[tuple[str, str]], history: Sequence[tuple[str, str]] = ()) -> None:
        """Index (doc_id, text) pairs, and (text, doc_id) history as more texts of those docs."""
        docs = list(docs) + [(doc_id, text) for text, doc_id in history]
        self._ids = [doc_id for doc_id, _ in docs]
        texts = [text for _, text in docs]
        if not texts:
            self._words = self._chars = None
            return
        self._words = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)
        try:
            self._wm = self._words.fit_transform(texts)
        except ValueError:  # every text was a stop word; fall back to characters alone
            self._words = None
        self._cm = self._chars.fit_transform(texts) if self.chars else None
        if self._words is None and not self.chars:  # nothing left to match on: keep characters after all
            self._cm = self._chars.fit_transform(texts)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The best doc ids for a text with a cosine similarity in [0, 1], best first."""
        if not self._ids or self._chars is None or not text.strip():
            return []
        if self._cm is None:  # words only
            scores = (self._wm @ self._words.transform([text]).T).toarray().ravel()
        else:
            scores = linear_kernel(self._chars.transform([text]), self._cm)[0] * 0.4
            if self._words is not None:
                scores = scores + linear_kernel(self._words.transform([text]), self._wm)[0] * 0.6
        # One doc id may have many texts: look a little deeper than `limit` and keep each id's best.
        depth = min(len(scores), limit * 8)
        top = np.argpartition(-scores, depth - 1)[:depth]
        best: dict[str, float] = {}
        for i in top[np.argsort(-scores[top])]:
            if scores[i] <= 0 or len(best) >= limit:
                break
            best.setdefault(self._ids[i], float(scores[i]))
        return list(best.items())
