"""Lexical retrieval with scikit-learn TF-IDF: light, offline, and good enough to start."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer


class PostingsIndex:
    """A fitted TF-IDF vectorizer and its documents transposed (term -> documents): one query scores
    only the documents sharing a term with it, and skips the vectorizer's per-call validation."""

    def __init__(self, vectorizer: TfidfVectorizer, texts: Sequence[str]) -> None:
        matrix = vectorizer.fit_transform(texts)  # raises ValueError when no term survives
        self._index(vectorizer, matrix.T.tocsr(), matrix.shape[0])

    @classmethod
    def restored(cls, vectorizer: TfidfVectorizer, by_term: csr_matrix, size: int) -> PostingsIndex:
        """An index rebuilt from a vectorizer and its stored postings (adapters/search/stored_index.py)."""
        index = cls.__new__(cls)
        index._index(vectorizer, by_term, size)
        return index

    def _index(self, vectorizer: TfidfVectorizer, by_term: csr_matrix, size: int) -> None:
        self.vectorizer, self.size = vectorizer, size
        self._by_term = by_term  # row j: the documents holding term j, with their weights
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = vectorizer.idf_
        self._sublinear = vectorizer.sublinear_tf

    def scores(self, text: str) -> np.ndarray:
        """Cosine of text with every document, the same as the vectorizer's transform would give."""
        counts = Counter(j for j in map(self._vocabulary.get, self._analyze(text)) if j is not None)
        out = np.zeros(self.size)
        if not counts:
            return out
        terms = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=float, count=len(counts))
        weights = (1 + np.log(tf) if self._sublinear else tf) * self._idf[terms]
        weights /= math.sqrt(float(weights @ weights))
        indptr, indices, data = self._by_term.indptr, self._by_term.indices, self._by_term.data
        for j, w in zip(terms, weights, strict=True):
            start, end = indptr[j], indptr[j + 1]
            out[indices[start:end]] += w * data[start:end]
        return out


class TfidfRetriever:
    """Cosine similarity over word and character n-gram TF-IDF (typos and plurals still match)."""

    name = "tfidf"

    def __init__(self, chars: bool = True) -> None:
        self.chars = chars  # character n-grams catch typos but cost ~10x per query on large indexes
        self._ids: list[str] = []
        self._words: PostingsIndex | None = None
        self._chars: PostingsIndex | None = None

    def fit(self, docs: Sequence[tuple[str, str]], history: Sequence[tuple[str, str]] = ()) -> None:
        """Index (doc_id, text) pairs, and (text, doc_id) history as more texts of those docs."""
        docs = list(docs) + [(doc_id, text) for text, doc_id in history]
        self._ids = [doc_id for doc_id, _ in docs]
        texts = [text for _, text in docs]
        self._words = self._chars = None
        if not texts:
            return
        try:
            self._words = PostingsIndex(TfidfVectorizer(stop_words="english", sublinear_tf=True,
                                                        ngram_range=(1, 2)), texts)
        except ValueError:  # every text was a stop word; fall back to characters alone
            self._words = None
        if self.chars or self._words is None:  # with no words left, keep characters after all
            self._chars = PostingsIndex(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                                        sublinear_tf=True), texts)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The best doc ids for a text with a cosine similarity in [0, 1], best first."""
        if not self._ids or not text.strip() or (self._words is None and self._chars is None):
            return []
        if self._chars is None:
            assert self._words is not None
            scores = self._words.scores(text)
        else:
            scores = self._chars.scores(text) * 0.4
            if self._words is not None:
                scores = scores + self._words.scores(text) * 0.6
        # One doc id may have many texts: look a little deeper than `limit` and keep each id's best.
        depth = min(len(scores), limit * 8)
        top = np.argpartition(-scores, depth - 1)[:depth]
        best: dict[str, float] = {}
        for i in top[np.argsort(-scores[top])]:
            if scores[i] <= 0 or len(best) >= limit:
                break
            best.setdefault(self._ids[i], float(scores[i]))
        return list(best.items())
