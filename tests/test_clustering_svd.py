"""The clustering's reduced vectors: the SVD runs in float32 with one contiguous basis (for memory), and
still gives the vectors scikit-learn's float64 TruncatedSVD gives."""

from __future__ import annotations

import random

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from adapters.search.clustering import WardClusterer
from adapters.search.features import LexicalFeatures

WORDS = ["vpn", "printer", "password", "reset", "token", "expired", "laptop", "screen", "wifi", "drops",
         "badge", "door", "email", "quota", "invoice", "refund", "card", "declined", "transfer", "pending"]


def texts(n: int) -> list[str]:
    rnd = random.Random(3)
    return [" ".join(rnd.sample(WORDS, 5)) for _ in range(n)]


def test_the_float32_vectors_are_the_float64_svds_vectors() -> None:
    docs = texts(400)
    clusterer = WardClusterer(LexicalFeatures(chars=None), dims=12, neighbours=1000)  # no smoothing
    got = clusterer.vectors(docs)
    features = LexicalFeatures(chars=None)
    features.fit(docs)
    matrix = features.transform(docs)
    expected = normalize(TruncatedSVD(12, random_state=0).fit(matrix).transform(matrix))
    assert got.dtype == np.float32 and got.shape == expected.shape
    # float32 keeps about 7 digits, and the randomized SVD's rounding depends on the CPU's BLAS kernels: 1.4e-4
    # on one machine, under 1e-4 on another. A wrong basis or a missing normalisation is off by 0.1 or more.
    assert np.abs(got - expected).max() < 1e-3
