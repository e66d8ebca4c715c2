"""Text to vectors: lexical TF-IDF (always installed) and sentence embeddings (the `semantic` extra)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from adapters.search.backend import semantic_available as semantic_available  # its home before
from adapters.search.encoders import Encoder, chosen, shared_model


class LexicalFeatures:
    """Word 1-2-grams and character 2-5-grams, TF-IDF, L2-normalised; typos and plurals still match."""

    name = "tfidf"

    def __init__(self, chars: tuple[int, int] | None = (2, 5), max_chars: int = 300_000) -> None:
        self.chars = chars  # None: words only, ~10x cheaper on large batches
        self.max_chars = max_chars
        self._words: TfidfVectorizer | None = None
        self._chars: TfidfVectorizer | None = None

    def fit(self, texts: Sequence[str]) -> None:
        """Learn the vocabularies and IDF weights from texts."""
        self._chars = None
        if self.chars:
            self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=self.chars, sublinear_tf=True,
                                          max_features=self.max_chars).fit(texts)
        self._words = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), max_features=200_000)
        try:
            self._words.fit(texts)
        except ValueError:  # no word survived tokenising: characters alone carry the text
            self._words = None
            if self._chars is None:
                self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(texts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Vectors for texts, one row each."""
        if self._chars is None and self._words is None:
            raise RuntimeError("LexicalFeatures.fit must run before transform")
        parts = [self._chars.transform(texts)] if self._chars is not None else []
        if self._words is not None:
            parts.append(self._words.transform(texts))
        return normalize(hstack(parts).tocsr())


class SemanticFeatures:
    """Sentence embeddings from one encoder (the chosen one by default), loaded offline on first use and
    cached per text."""

    def __init__(self, batch_size: int = 64, cache_limit: int = 200_000,
                 encoder: Encoder | None = None) -> None:
        self.encoder = encoder or chosen()
        self._model: Any = None
        self._cache: dict[str, np.ndarray] = {}
        self.batch_size = batch_size
        self.cache_limit = cache_limit

    @property
    def name(self) -> str:
        """The encoder's name: stored models record it, so vectors of two encoders never meet."""
        return self.encoder.name

    def fit(self, texts: Sequence[str]) -> None:
        """Nothing to learn: the model is pretrained (embeddings are cached as they are made)."""

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings for texts, one row each."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self._load().encode(missing, batch_size=self.batch_size, normalize_embeddings=True,
                                          show_progress_bar=False)  # not a bar per batch in the logs
            if len(self._cache) + len(missing) > self.cache_limit:
                self._cache.clear()  # crude but bounded; re-embedding is only slower, never wrong
            self._cache.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        return np.stack([self._cache[t] for t in texts]) if texts else self._none()

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Take embeddings made earlier (a disk cache) so those texts are not embedded again."""
        self.cache_limit = max(self.cache_limit, len(self._cache) + len(texts))
        self._cache.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def remembered(self) -> tuple[list[str], np.ndarray]:
        """Every text embedded so far, with its embedding (to save them for another run)."""
        texts = list(self._cache)
        return texts, np.stack([self._cache[t] for t in texts]) if texts else self._none()

    def _none(self) -> np.ndarray:
        return np.zeros((0, self.encoder.dimension), np.float32)

    def _load(self) -> Any:
        if self._model is None:
            self._model = shared_model(self.encoder.name)
        return self._model


class CombinedFeatures:
    """Lexical and semantic side by side; the semantic half weighs more because it generalises better."""

    def __init__(self, semantic_weight: float = 2.0, semantic: SemanticFeatures | None = None) -> None:
        self.lexical = LexicalFeatures()
        self.semantic = semantic or SemanticFeatures()  # share one to reuse its embedding cache
        self.semantic_weight = semantic_weight

    @property
    def name(self) -> str:
        """`minilm+tfidf` or `mpnet+tfidf`: the thresholds chosen for each encoder are keyed by it."""
        return f"{self.semantic.name}+tfidf"

    def fit(self, texts: Sequence[str]) -> None:
        """Fit the lexical half (the semantic half is pretrained)."""
        self.lexical.fit(texts)

    def dense(self, texts: Sequence[str]) -> np.ndarray:
        """The unit embeddings alone, for nearest-neighbour votes."""
        return self.semantic.transform(texts)

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """Both feature sets for texts, concatenated."""
        dense = csr_matrix(self.semantic.transform(texts) * self.semantic_weight)
        return hstack([self.lexical.transform(texts), dense]).tocsr()


def best_features() -> LexicalFeatures | CombinedFeatures:
    """The best feature set installed: semantic plus lexical with the extra, lexical alone without."""
    return CombinedFeatures() if semantic_available() else LexicalFeatures()


def best_features_maker() -> Callable[[], LexicalFeatures | CombinedFeatures]:
    """A maker of best_features() whose instances share one embedding cache.

    Cross-validation (adapters/search/abstention.py) fits a ranker per fold: sharing the cache embeds each
    text once instead of once per fold.
    """
    if not semantic_available():
        return LexicalFeatures
    shared = SemanticFeatures()
    return lambda: CombinedFeatures(semantic=shared)
