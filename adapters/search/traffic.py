"""Abstention that follows the questions a deployment is actually asked, read without any label.

The history's cross-validation holds out a fifth of the articles, so it rehearses a world where about a
fifth of the questions have no article. A small business's bot meets a third to two thirds; there the
threshold the history chose (one point of hit@3 at most) keeps the bot talking where it should stay quiet.
The asked questions say how many have no article: the cross-validation also teaches a map from the shown
confidence to the chance that *any* article fits, and the EM of Saerens, Latinne and Decaestecker (2002,
"Adjusting the outputs of a classifier to new a priori probabilities") re-weighs that map until its mean
over the asked questions agrees with itself. With the re-weighed chances, the bot may also stay quiet
below the highest confidence under which the asked questions are, by that estimate, at least
TARGET_PRECISION without an article; it never abstains less than the history's threshold says.

Chosen on validation questions only (CLINC150 validation, with its out-of-scope share raised to the test
split's; CLINC150's domains as ten few-shot businesses; Banking77's training split): 0.90 kept CLINC150's
full accuracy within 0.2 point and raised the few-shot businesses' by 12-21 points; 0.85 cost CLINC150
2.6 points (semantic). The shown confidence itself is not re-weighed: on CLINC150 and Banking77 the
estimate runs low (the new questions are harder than the history's) and re-weighing worsened calibration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TARGET_PRECISION = 0.90  # abstentions estimated this often right on the asked questions (set on validation)
MIN_ASKED = 50  # fewer asked questions than this estimate nothing
ASKED = 2_000  # the newest asked questions a fit looks at: enough for the share, bounded at any size
EPS = 1e-6


@dataclass(frozen=True)
class Traffic:
    """What the asked questions said: how many, the estimated share without an article, the threshold."""

    asked: int
    no_article_share: float
    threshold: float
    estimated_precision: float | None

    def to_dict(self) -> dict[str, object]:
        """JSON-able, for `fixloop backtest kb` and the bot's model report."""
        return {"asked": self.asked, "estimated_no_article_share": round(self.no_article_share, 4),
                "threshold": round(self.threshold, 4),
                "estimated_abstain_precision": None if self.estimated_precision is None
                else round(self.estimated_precision, 4), "target_precision": TARGET_PRECISION}


def reweigh(chance: np.ndarray, before: float, after: float) -> np.ndarray:
    """Posterior chances learnt under prior `before`, re-weighed to prior `after` (Bayes' rule)."""
    p = np.clip(np.asarray(chance, dtype=float), EPS, 1 - EPS)
    yes = after / max(before, EPS) * p
    no = (1 - after) / max(1 - before, EPS) * (1 - p)
    return np.asarray(yes / (yes + no))


def estimate_prior(chance: np.ndarray, before: float, rounds: int = 500) -> float:
    """The prior under which the re-weighed chances' mean is the prior itself (EM, Saerens et al. 2002)."""
    prior = before
    for _ in range(rounds):
        nxt = float(np.mean(reweigh(chance, before, prior)))
        if abs(nxt - prior) < 1e-7:
            return nxt
        prior = nxt
    return prior


def adapt(shown: Sequence[float], xs: Sequence[float], ys: Sequence[float],
          answerable_share: float) -> Traffic | None:
    """The traffic's threshold from the asked questions' shown confidences and the map from shown confidence
    to "an article fits" (knots xs, ys) learnt where answerable_share of the questions had one."""
    conf = np.asarray(shown, dtype=float)
    if len(conf) < MIN_ASKED or len(xs) < 2 or not 0 < answerable_share < 1:
        return None
    fits = np.interp(conf, xs, ys)
    share = estimate_prior(fits, answerable_share)
    none_fits = 1 - reweigh(fits, answerable_share, share)
    order = np.argsort(conf, kind="stable")
    ranked, precision = conf[order], np.cumsum(none_fits[order]) / np.arange(1, len(conf) + 1)
    # A cut can only fall between distinct confidences: the last question of each run of equal ones.
    ends = np.r_[ranked[1:] != ranked[:-1], True]
    good = np.flatnonzero(ends & (precision >= TARGET_PRECISION))
    if not good.size:
        return Traffic(len(conf), 1 - share, 0.0, None)
    k = int(good[-1])
    above = ranked[k + 1] if k + 1 < len(ranked) else ranked[k] + EPS
    return Traffic(len(conf), 1 - share, float((ranked[k] + above) / 2), float(precision[k]))
