"""Scores for backtests: ranking hits, classification accuracy and F1, cluster agreement with labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the labels present in the truth or the predictions."""
    tp, fp, fn = Counter[str](), Counter[str](), Counter[str]()
    for t, p in zip(truth, predicted, strict=True):
        if t == p:
            tp[t] += 1
        else:
            fp[p] += 1
            fn[t] += 1
    labels = set(truth) | set(predicted)
    scores = [2 * tp[x] / (2 * tp[x] + fp[x] + fn[x]) for x in labels]
    return float(np.mean(scores)) if scores else 0.0


def hungarian_accuracy(truth: Sequence[str], clusters: Sequence[int]) -> float:
    """Share of items whose cluster maps to their label under the best one-to-one matching."""
    rows = {c: i for i, c in enumerate(sorted(set(clusters)))}
    cols = {label: i for i, label in enumerate(sorted(set(truth)))}
    counts = np.zeros((len(rows), len(cols)))
    for c, label in zip(clusters, truth, strict=True):
        counts[rows[c], cols[label]] += 1
    r, c = linear_sum_assignment(-counts)
    return float(counts[r, c].sum() / max(1, len(truth)))


def cluster_scores(truth: Sequence[str], clusters: Sequence[int]) -> dict[str, float]:
    """NMI, ARI and Hungarian accuracy of clusters against labels."""
    return {
        "nmi": round(float(normalized_mutual_info_score(truth, clusters)), 4),
        "ari": round(float(adjusted_rand_score(truth, clusters)), 4),
        "accuracy": round(hungarian_accuracy(truth, clusters), 4),
    }


def calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float | None:
    """Expected calibration error: over equal-width confidence bins, |accuracy - mean confidence|,
    weighted by the bin's share of the items (0 is perfectly calibrated)."""
    if not confidences:
        return None
    conf, right = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(right[members].mean() - conf[members].mean())
    return round(float(total), 4)
