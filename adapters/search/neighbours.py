"""Past examples kept as unit embeddings: their nearest ones vote for a label and vouch for a match."""

from __future__ import annotations

import numpy as np

Near = tuple[np.ndarray, np.ndarray]  # per query: the best cosines, best first, and those examples' labels


class NeighbourMemory:
    """Unit vectors of labelled examples; `ignore` labels (e.g. "no article fits") never vote or vouch."""

    def __init__(self, vectors: np.ndarray, labels: np.ndarray, ignore: frozenset[str] = frozenset()) -> None:
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.labels = np.asarray(labels)
        self.ignore = ignore

    def __len__(self) -> int:
        return len(self.labels)

    def nearest(self, queries: np.ndarray, k: int) -> Near:
        """The k best cosines per query, best first, and the labels of those examples."""
        sims = np.atleast_2d(queries) @ self.vectors.T
        k = min(k, sims.shape[1])
        near = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        best = np.take_along_axis(sims, near, axis=1)
        order = np.argsort(-best, axis=1)
        return np.take_along_axis(best, order, axis=1), self.labels[np.take_along_axis(near, order, axis=1)]

    def votes(self, near: Near, classes: np.ndarray, k: int) -> np.ndarray:
        """Per query and class, the summed cosine of that class's examples among the k nearest.

        `near` is what `nearest` returned for the queries, with at least k per query.
        """
        sims, labels = near[0][:, :k], near[1][:, :k]
        out = np.zeros((len(sims), len(classes)))
        known = np.isin(labels, classes) & ~np.isin(labels, list(self.ignore))
        rows = np.repeat(np.arange(len(sims)), sims.shape[1]).reshape(sims.shape)
        np.add.at(out, (rows[known], np.searchsorted(classes, labels[known])), sims[known])
        return out

    def support(self, near: Near, k: int) -> np.ndarray:
        """Per query, the mean cosine of its k nearest examples, an ignored label counting as 0.

        An out-of-scope question is far from everything seen before, however sure the linear
        model is about which label it resembles most. `near` is as for `votes`.
        """
        sims, labels = near[0][:, :k], near[1][:, :k]
        support: np.ndarray = np.where(np.isin(labels, list(self.ignore)), 0.0, sims).mean(axis=1)
        return support
