"""Abstention that follows the questions a deployment is actually asked, read without any label.

The history's cross-validation holds out a fifth of the articles, so it rehearses a world where about a
fifth of the questions have no article. A small business's bot meets a third to two thirds; there the
threshold the history chose (one point of hit@3 at most) keeps the bot talking where it should stay quiet.
The asked questions say how many have no article: the cross-validation also teaches a map from the shown
confidence to the chance that *any* article fits, and the EM of Saerens, Latinne and Decaestecker (2002,
"Adjusting the outputs of a classifier to new a priori probabilities") re-weighs that map until its mean
over the asked questions agrees with itself. With the re-weighed chances, the bot may also stay quiet
below the highest confidence under which the asked questions are, by that estimate, at least
TARGET_PRECISION without an article (TARGETS per back end); it never abstains less than the history's
threshold says. Where no cut is estimated that right (a map learnt from a few dozen questions may never
say "no article" so surely), the cut estimated to answer the most asked questions rightly, silence
included, when that beats never abstaining: two of the ten few-shot businesses abstained on nothing at 5
examples per article before (validation, light: full accuracy 0.650 / 0.765 / 0.756 -> 0.668 / 0.765 /
0.788 at 5 / 10 / 20).

Chosen on validation questions only (CLINC150 validation, with its out-of-scope share raised to the test
split's; CLINC150's domains as ten few-shot businesses; Banking77's training split): 0.90 kept CLINC150's
full accuracy within 0.2 point and raised the few-shot businesses' by 12-21 points; 0.85 cost CLINC150
2.6 points (semantic).

What a question without an article looks like is learnt from the deployment's own *I still need help*
questions when it has MIN_DECLINES of them, and from the held-out articles' questions otherwise. The
first are the unanswerable questions the deployment really meets; held-out articles are siblings of the
kept ones, harder to tell from them, and over-estimated the share on CLINC150 (0.30 against 0.18 on test).
Read against the declines, the estimate held (validation at the test split's share: 0.18 against 0.18
semantic, 0.20 light), and then the shown confidence follows the asked questions too: the re-weighed
chance that an article fits times the cross-validation's share of right first articles among answerable
questions of that confidence (CLINC150 validation at the test split's share: calibration error 0.070 ->
0.024 semantic, 0.057 -> 0.035 light). Against held-out articles alone the shown confidence stays as the
history learnt it: re-weighed there, it lost calibration on CLINC150 and Banking77.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

TARGET_PRECISION = 0.90  # abstentions estimated this often right on the asked questions (set on validation)
# Per back end where validation chose otherwise (names as in adapters/search/backend.py). With embeddings the
# article-shape signals (answerability.py) made the estimate at 0.90 run optimistic on CLINC150's validation
# questions at the test split's share (estimated 0.903, in fact 0.858, 3.0 points of hit@3); at 0.92 the cut
# is in fact 0.891 right at 2.1 points and full accuracy 0.938 -> 0.940, and the few-shot businesses keep or
# gain. The light back end keeps 0.90: 0.92 changed nothing on CLINC150 and cost its few-shot businesses 0.4
# to 3.8 points of full accuracy.
TARGETS = {"minilm+tfidf": 0.92, "mpnet+tfidf": 0.92}  # MPNet: MiniLM's value, checked on validation
MIN_ASKED = 50  # fewer asked questions than this estimate nothing
MIN_DECLINES = 30  # "I still need help" questions enough to stand for the unanswerable ones (set a priori)
ASKED = 2_000  # the newest asked questions a fit looks at: enough for the share, bounded at any size
EPS = 1e-6


@dataclass(frozen=True)
class Traffic:
    """What the asked questions said: how many, the estimated share without an article, the threshold."""

    asked: int
    no_article_share: float
    threshold: float
    estimated_precision: float | None
    target_precision: float = TARGET_PRECISION  # what the threshold aimed at (a stored one may predate it)

    def to_dict(self) -> dict[str, object]:
        """JSON-able, for `fixloop backtest kb` and the bot's model report (the threshold is added by the
        Calibration, on the scale the bot shows)."""
        return {"asked": self.asked, "estimated_no_article_share": round(self.no_article_share, 4),
                "estimated_abstain_precision": None if self.estimated_precision is None
                else round(self.estimated_precision, 4), "target_precision": self.target_precision}


@dataclass(frozen=True)
class Reading:
    """What the cross-validation teaches for reading asked questions: the map from shown confidence to the
    chance an article fits (and the share that had one there) and, among answerable questions, to the
    share whose first article was right."""

    fits_xs: list[float]
    fits_ys: list[float]
    answerable_share: float
    from_declines: bool = False  # the unanswerable side is the deployment's own "I still need help" rows
    right_xs: list[float] = field(default_factory=list)
    right_ys: list[float] = field(default_factory=list)


def reading_of(shown: np.ndarray, answerable: np.ndarray, declined: np.ndarray, top1: np.ndarray,
               fit: Callable[[Sequence[float], Sequence[bool]], tuple[list[float], list[float]]]) -> Reading:
    """The Reading of cross-validated questions (shown confidence, answerable, declined, first right)."""
    from_declines = int(declined.sum()) >= MIN_DECLINES
    rows = answerable | declined if from_declines else np.ones_like(answerable)
    fits_xs, fits_ys = fit(shown[rows].tolist(), answerable[rows].tolist())
    right_xs, right_ys = fit(shown[answerable].tolist(), top1[answerable].tolist())
    return Reading(fits_xs, fits_ys, float(np.mean(answerable[rows])), from_declines, right_xs, right_ys)


def follows(reading: Reading | None, traffic: Traffic | None) -> bool:
    """Whether the shown confidence follows the asked questions (only when read against real declines)."""
    return bool(reading is not None and traffic is not None and reading.from_declines and reading.right_xs)


def reshaped(shown: np.ndarray, reading: Reading, traffic: Traffic) -> np.ndarray:
    """The shown confidence on the asked questions: the chance an article fits, re-weighed to their share,
    times the share of right first articles among answerable questions so sure (non-decreasing)."""
    s = np.asarray(shown, dtype=float)
    fits = reweigh(np.interp(s, reading.fits_xs, reading.fits_ys), reading.answerable_share,
                   1 - traffic.no_article_share)
    return np.asarray(fits * np.interp(s, reading.right_xs, reading.right_ys))


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


def target_for(backend: str) -> float:
    """The estimated precision the traffic's cut aims at, for a retrieval back end."""
    return TARGETS.get(backend, TARGET_PRECISION)


def adapt(shown: Sequence[float], reading: Reading, known: Sequence[bool | None] | None = None,
          target: float = TARGET_PRECISION) -> Traffic | None:
    """The traffic's share without an article and its threshold, from the asked questions' shown
    confidences (as the history calibrated them) read with what the cross-validation taught; where `known`
    says whether an article fitted a question (a lesson the ranker learnt), that counts instead."""
    conf = np.asarray(shown, dtype=float)
    xs, before = reading.fits_xs, reading.answerable_share
    if len(conf) < MIN_ASKED or len(xs) < 2 or not 0 < before < 1:
        return None
    labels = list(known) if known is not None else [None] * len(conf)
    unknown = np.asarray([k is None for k in labels], dtype=bool)
    fits = np.asarray([float(k) if k is not None else 0.0 for k in labels])  # known: 1 fits, 0 none
    if unknown.any():
        guess = np.interp(conf[unknown], xs, reading.fits_ys)
        fits[unknown] = reweigh(guess, before, estimate_prior(guess, before))
    share = float(fits.mean())
    none_fits = 1 - fits
    order = np.argsort(conf, kind="stable")
    ranked, precision = conf[order], np.cumsum(none_fits[order]) / np.arange(1, len(conf) + 1)
    # A cut can only fall between distinct confidences: the last question of each run of equal ones.
    ends = np.r_[ranked[1:] != ranked[:-1], True]
    good = np.flatnonzero(ends & (precision >= target))
    if good.size:
        k = int(good[-1])
    else:
        best = _most_right(ranked, fits[order], ends, reading)
        if best is None:
            return Traffic(len(conf), 1 - share, 0.0, None, target)
        k = best
    above = ranked[k + 1] if k + 1 < len(ranked) else ranked[k] + EPS
    return Traffic(len(conf), 1 - share, float((ranked[k] + above) / 2), float(precision[k]), target)


def _most_right(ranked: np.ndarray, fits: np.ndarray, ends: np.ndarray, reading: Reading) -> int | None:
    """Where no cut is the target's share right: the cut (an index into the ascending confidences) with the
    best estimated full accuracy on the asked questions, if it beats never abstaining; else None.

    Estimated right: a question under the cut by its chance of having no article, one over it by its chance
    of having one times the share of right first articles among answerable questions that sure.
    """
    if len(reading.right_xs) < 2:
        return None
    answered = fits * np.interp(ranked, reading.right_xs, reading.right_ys)
    right = np.cumsum(1 - fits) + (answered.sum() - np.cumsum(answered))  # abstaining up to each index
    right = np.where(ends, right, -np.inf)
    k = int(np.argmax(right))
    return k if right[k] > answered.sum() + EPS else None
