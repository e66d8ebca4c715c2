"""Batch clustering of ticket texts where the number of clusters is found, never given."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from adapters.search.classifier import Features
from adapters.search.encoders import ENCODERS
from adapters.search.features import LexicalFeatures, SemanticFeatures

CHUNK = 20_000
log = logging.getLogger(__name__)


class WardClusterer:
    """Dense vectors, smoothed over nearest neighbours, cut into micro-clusters, merged by Ward's distance.

    The Ward threshold decides how many causes come out; it was tuned on Banking77's training split.
    Micro-clusters keep the merge step at a few thousand points whatever the ticket count.
    """

    def __init__(self, features: Features | None = None, *, threshold: float = 1.2, per_micro: int = 5,
                 neighbours: int = 10, max_micro: int = 2000, smooth_limit: int = 20_000, dims: int = 150,
                 fit_limit: int = 50_000, seed: int = 0) -> None:
        self.fast_above = smooth_limit  # above this, words only and random k-means seeds: minutes, not hours
        self.features = features or cluster_features()
        self.name = self.features.name
        self.threshold = threshold
        self.per_micro = per_micro
        self.neighbours = neighbours
        self.max_micro = max_micro
        self.smooth_limit = smooth_limit  # neighbour search is quadratic: skip smoothing above this
        self.dims = dims
        self.fit_limit = fit_limit
        self.seed = seed

    def cluster(self, texts: Sequence[str]) -> list[int]:
        """A cluster number for each text (0..k-1); k is found from the data."""
        if len(texts) < 2:
            return [0] * len(texts)
        large = len(texts) > self.fast_above
        lexical = isinstance(self.features, LexicalFeatures)
        features = LexicalFeatures(chars=None) if large and lexical else None
        started = time.perf_counter()
        vectors = self.vectors(texts, features)
        log.info("clustering %d texts: vectors %s in %.0f s", len(texts), vectors.shape,
                 time.perf_counter() - started)
        # Small batches keep every text as its own micro-cluster; large ones compress to max_micro.
        micro_count = min(len(texts), max(len(texts) // self.per_micro, 50), self.max_micro)
        km = MiniBatchKMeans(micro_count, random_state=self.seed, n_init=1, batch_size=4096,
                             init="random" if large else "k-means++").fit(vectors)
        log.info("clustering: %d micro-clusters at %.0f s", micro_count, time.perf_counter() - started)
        centres = normalize(km.cluster_centers_)
        merged = AgglomerativeClustering(n_clusters=None, distance_threshold=self.threshold,
                                         linkage="ward").fit(centres).labels_
        labels = merged[km.labels_]
        _, dense = np.unique(labels, return_inverse=True)  # empty micro-clusters leave gaps: renumber
        return [int(x) for x in dense]

    def vectors(self, texts: Sequence[str], features: Features | None = None) -> np.ndarray:
        """Unit vectors for texts: reduced TF-IDF or embeddings, then neighbour-smoothed."""
        features = features or self.features
        # Vocabulary and SVD are learnt on a sample: at a million tickets the full matrix would not fit.
        sample = list(texts)
        if len(sample) > self.fit_limit:
            sample = random.Random(self.seed).sample(sample, self.fit_limit)
        features.fit(sample)
        reduce = self._reducer(features, sample)
        vectors = self._reduced(texts, features, reduce)
        if self.neighbours < len(texts) <= self.smooth_limit:
            # Averaging each text with its neighbours pulls paraphrases together before the cut.
            nn = NearestNeighbors(n_neighbors=self.neighbours, metric="cosine").fit(vectors)
            vectors = normalize(vectors[nn.kneighbors(vectors, return_distance=False)].mean(axis=1))
        return vectors

    @staticmethod
    def _reduced(texts: Sequence[str], features: Features, reduce: Callable[[Any], np.ndarray]) -> np.ndarray:
        """Unit float32 rows filled chunk by chunk into one array: at a million tickets the float64 chunks,
        their stacked copy and its float32 copy used to be alive at once (about 3 GB against 0.6 GB)."""
        first = np.asarray(reduce(features.transform(texts[:CHUNK])), dtype=np.float32)
        vectors = np.empty((len(texts), first.shape[1]), dtype=np.float32)
        for i in range(0, len(texts), CHUNK):
            part = first if i == 0 else np.asarray(reduce(features.transform(texts[i:i + CHUNK])), np.float32)
            vectors[i:i + len(part)] = normalize(part)
        return vectors

    def _reducer(self, features: Features, sample: list[str]) -> Callable[[Any], np.ndarray]:
        probe = features.transform(sample[:1])
        if isinstance(probe, np.ndarray):
            return np.asarray
        dims = max(1, min(self.dims, probe.shape[1] - 1, len(sample) - 1))
        # In float32 (the vectors are float32 anyway): the randomized SVD's 200,000 x 160 work arrays took
        # 830 MB in float64 on the 50,000-text sample, above a million tickets' texts; 500 MB now.
        svd = TruncatedSVD(dims, random_state=self.seed).fit(features.transform(sample).astype(np.float32))
        # TruncatedSVD.transform multiplies by components_.T, a strided view that scipy copied whole for
        # every chunk (240 MB at 200,000 terms); one contiguous copy serves them all.
        basis = np.ascontiguousarray(svd.components_.T)
        del svd
        return lambda matrix: np.asarray(matrix.astype(np.float32) @ basis)


def semantic_clusterer(features: SemanticFeatures | None = None) -> WardClusterer:
    """MiniLM embeddings with the threshold tuned for them (the `semantic` extra must be installed).

    MiniLM whichever encoder suggestions use: the threshold was tuned on its distances, and MPNet's were not
    measured for clustering."""
    minilm = features or SemanticFeatures(encoder=ENCODERS["minilm"])
    return WardClusterer(minilm, threshold=1.0, per_micro=10)


def best_clusterer() -> WardClusterer:
    """Embeddings with the semantic extra, reduced TF-IDF without; each with its tuned threshold."""
    return semantic_clusterer() if ENCODERS["minilm"].installed() else WardClusterer(cluster_features())


def cluster_features() -> LexicalFeatures:
    """Words plus 3-4 character n-grams, capped: as good as the full set for clustering, far cheaper."""
    return LexicalFeatures(chars=(3, 4), max_chars=50_000)

