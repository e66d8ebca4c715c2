"""The history's threshold: where the cross-validated questions (adapters/search/abstention.py) say the bot
should stay quiet, and how right that would have been."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapters.search.calibration import Scored

# A threshold counts as meeting the target precision (abstention.TARGET_PRECISION) only if it also catches
# this share of the questions no article fits: with sentence embeddings the only 85%-right thresholds in
# cross-validation abstained on a handful (recall 0.001), and preferring them silenced abstention (set a
# priori, not tuned on a test split).
MIN_PRECISE_RECALL = 0.25


def choose_threshold(scored: Sequence[Scored], max_loss: float,
                     target_precision: float = 0.0) -> tuple[float, dict[str, float | int | None]]:
    """The threshold with the best full accuracy among those costing answerable hit@3 at most max_loss,
    among those whose abstentions are at least target_precision right (and catch MIN_PRECISE_RECALL of
    the unanswerable questions) when any such threshold exists."""
    conf = np.asarray([s.confidence for s in scored], dtype=float)
    ans = np.asarray([s.answerable for s in scored], dtype=bool)
    top1 = np.asarray([s.top1 for s in scored], dtype=bool)
    top3 = np.asarray([s.top3 for s in scored], dtype=bool)
    cuts = np.unique(np.concatenate([[0.0], conf]))

    def below(values: np.ndarray, mask: np.ndarray) -> np.ndarray:  # per cut: masked values under it
        return np.searchsorted(np.sort(values[mask]), cuts, side="left")

    abstained, caught = below(conf, np.ones_like(ans)), below(conf, ~ans)
    lost1, lost3 = below(conf, ans & top1), below(conf, ans & top3)
    loss = lost3 / max(1, int(ans.sum()))
    accuracy = (caught + int((ans & top1).sum()) - lost1) / max(1, len(scored))
    unanswerable = max(1, int((~ans).sum()))
    precise = ((abstained > 0) & (caught >= target_precision * abstained)  # never abstaining proves nothing
               & (caught >= MIN_PRECISE_RECALL * unanswerable))
    allowed = loss <= max_loss + 1e-12
    if (allowed & precise).any():
        allowed &= precise
    i = int(np.flatnonzero(allowed)[np.argmax(accuracy[allowed])]) if allowed.any() else 0
    t = float(cuts[i])
    return t, {**score_at(scored, t), "hit_at_3_loss": round(float(loss[i]), 4)}


def score_at(scored: Sequence[Scored], t: float) -> dict[str, float | int | None]:
    """Full accuracy and abstention precision and recall of a threshold over scored questions."""
    abstain = [s.confidence < t for s in scored]
    right = sum((a and not s.answerable) or (not a and s.top1) for a, s in zip(abstain, scored, strict=True))
    oos = sum(not s.answerable for s in scored)
    caught = sum(a and not s.answerable for a, s in zip(abstain, scored, strict=True))
    return {"questions": len(scored), "no_article": oos, "abstained": sum(abstain),
            "abstained_rightly": caught,
            "full_accuracy": round(right / len(scored), 4) if scored else None,
            "abstain_precision": round(caught / sum(abstain), 4) if any(abstain) else None,
            "abstain_recall": round(caught / oos, 4) if oos else None}
