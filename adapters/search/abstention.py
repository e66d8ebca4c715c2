"""Abstention learnt from the deployment's own history: held-out articles play "no article fits".

The ranker's own threshold was tuned on one public data set and says little about questions unlike any
article of this deployment. Here K-fold cross-validation over the history holds out whole articles
(their questions become "no article fits", as do the "I still need help" rows) together with a fold of
the other articles' questions; the scores those questions get teach (1) an isotonic map from the raw
confidence to the chance that the first article is right, so the shown confidence means what it says,
and (2) the threshold under which the bot stays quiet.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.isotonic import IsotonicRegression

from core.kb import NO_ARTICLE, Ranker

FOLDS = 5
MIN_HISTORY = 50  # fewer questions than this make a calibration of noise: the ranker's own threshold stays
MAX_LOSS = 0.02  # answerable questions may lose at most this much hit@3 to abstention
RECALIBRATE_GROWTH = 0.25  # history or articles growing by this share since the last CV trigger a new one


@dataclass
class Calibration:
    """What the cross-validation learnt: the confidence map, the threshold, and how it was chosen."""

    threshold: float
    how: str
    xs: list[float] = field(default_factory=list)  # isotonic knots: raw confidence ...
    ys: list[float] = field(default_factory=list)  # ... and the share of first articles that were right
    cv: dict[str, float | int | None] = field(default_factory=dict)

    def confidence(self, raw: float) -> float:
        """The calibrated confidence for a raw one (identity when nothing was learnt)."""
        if not self.xs:
            return raw
        return float(np.interp(raw, self.xs, self.ys))

    def to_dict(self) -> dict[str, object]:
        """JSON-able summary for `fixloop backtest kb` and /healthz-like reports."""
        return {"threshold": round(self.threshold, 4), "how": self.how, "cross_validation": self.cv}


@dataclass(frozen=True)
class Scored:
    """One held-out question: its raw top confidence, whether the first / first three were right."""

    confidence: float
    top1: bool
    top3: bool
    answerable: bool


class CalibratedRanker:
    """A ranker whose confidences and abstention threshold come from held-out-article cross-validation."""

    def __init__(self, make: Callable[[], Ranker], *, folds: int = FOLDS, max_loss: float = MAX_LOSS,
                 min_history: int = MIN_HISTORY, seed: int = 0) -> None:
        self.make, self.folds, self.max_loss = make, folds, max_loss
        self.min_history, self.seed = min_history, seed
        self.inner = make()
        self.name = str(getattr(self.inner, "name", "custom"))
        self.calibration: Calibration | None = None
        self._sizes = (0, 0)  # (articles, history) at the last cross-validation

    @property
    def abstain_below(self) -> float:
        """The learnt threshold, or the inner ranker's own before there is history enough."""
        if self.calibration is not None:
            return self.calibration.threshold
        return float(getattr(self.inner, "abstain_below", 0.12))

    def fit(self, docs: Sequence[tuple[str, str]], history: Sequence[tuple[str, str]] = ()) -> None:
        """Fit the inner ranker on everything; re-learn the calibration when the data grew enough."""
        self.inner.fit(docs, history)
        sizes = (len({d for d, _ in docs}), len(history))
        if len(history) < self.min_history:
            self.calibration, self._sizes = None, (0, 0)
        elif self.calibration is None or _grew(self._sizes, sizes):
            self.calibration = learn_calibration(self.make, docs, history, folds=self.folds,
                                                 max_loss=self.max_loss, seed=self.seed)
            self._sizes = sizes

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The inner ranking with calibrated confidences."""
        ranked = self.inner.search(text, limit)
        if self.calibration is None:
            return ranked
        return [(aid, self.calibration.confidence(c)) for aid, c in ranked]


def _grew(before: tuple[int, int], now: tuple[int, int]) -> bool:
    return any(n > b * (1 + RECALIBRATE_GROWTH) or n < b * (1 - RECALIBRATE_GROWTH)
               for b, n in zip(before, now, strict=True))


def learn_calibration(make: Callable[[], Ranker], docs: Sequence[tuple[str, str]],
                      history: Sequence[tuple[str, str]], *, folds: int = FOLDS, max_loss: float = MAX_LOSS,
                      seed: int = 0) -> Calibration:
    """Cross-validate with whole articles held out, then fit the map and choose the threshold."""
    scored = held_out_scores(make, docs, history, folds=folds, seed=seed)
    xs, ys = fit_isotonic([s.confidence for s in scored], [s.top1 and s.answerable for s in scored])
    calibrated = [Scored(float(np.interp(s.confidence, xs, ys)) if xs else s.confidence, s.top1, s.top3,
                         s.answerable) for s in scored]
    threshold, cv = choose_threshold(calibrated, max_loss)
    oos = sum(not s.answerable for s in scored)
    how = (f"{folds}-fold cross-validation over {len(scored)} past questions with a fifth of the articles "
           f"held out each time ({oos} questions played 'no article fits', 'I still need help' included); "
           f"confidence mapped by isotonic regression; threshold = the highest full accuracy whose "
           f"answerable hit@3 loss stays within {max_loss * 100:.0f} points")
    return Calibration(threshold=threshold, how=how, xs=xs, ys=ys, cv=cv)


def held_out_scores(make: Callable[[], Ranker], docs: Sequence[tuple[str, str]],
                    history: Sequence[tuple[str, str]], *, folds: int = FOLDS, seed: int = 0) -> list[Scored]:
    """Every history question scored once by a ranker that saw neither it nor, for a fifth, its article."""
    rnd = random.Random(seed)
    article_ids = sorted({d for d, _ in docs})
    rnd.shuffle(article_ids)
    article_fold = {aid: i % folds for i, aid in enumerate(article_ids)}
    row_fold = [rnd.randrange(folds) for _ in history]
    out: list[Scored] = []
    for f in range(folds):
        held = {aid for aid, k in article_fold.items() if k == f}
        train_docs = [(d, t) for d, t in docs if d not in held]
        train = [(t, a) for (t, a), k in zip(history, row_fold, strict=True) if k != f and a not in held]
        ranker = make()
        ranker.fit(train_docs, train)
        for (text, aid), k in zip(history, row_fold, strict=True):
            if k != f:
                continue
            answerable = aid != NO_ARTICLE and aid not in held
            ranked = ranker.search(text, limit=3)
            ids = [r for r, _ in ranked]
            out.append(Scored(ranked[0][1] if ranked else 0.0, answerable and ids[:1] == [aid],
                              answerable and aid in ids, answerable))
    return out


def fit_isotonic(confidences: Sequence[float], correct: Sequence[bool]) -> tuple[list[float], list[float]]:
    """Knots of the non-decreasing map from raw confidence to the share of right first articles."""
    if len(set(confidences)) < 2:
        return [], []
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float))
    return [float(x) for x in iso.X_thresholds_], [float(y) for y in iso.y_thresholds_]


def choose_threshold(scored: Sequence[Scored],
                     max_loss: float) -> tuple[float, dict[str, float | int | None]]:
    """The threshold with the best full accuracy among those costing answerable hit@3 at most max_loss."""
    conf = np.asarray([s.confidence for s in scored], dtype=float)
    ans = np.asarray([s.answerable for s in scored], dtype=bool)
    top1 = np.asarray([s.top1 for s in scored], dtype=bool)
    top3 = np.asarray([s.top3 for s in scored], dtype=bool)
    order = np.argsort(conf)
    cuts = np.unique(np.concatenate([[0.0], conf]))
    below = np.searchsorted(conf[order], cuts, side="left")  # questions abstained on at each cut
    # Cumulative counts over questions sorted by confidence: what abstaining on the first n of them costs.
    lost3 = np.concatenate([[0], np.cumsum((ans & top3)[order])])[below]
    caught = np.concatenate([[0], np.cumsum((~ans)[order])])[below]
    lost1 = np.concatenate([[0], np.cumsum((ans & top1)[order])])[below]
    n_ans = max(1, int(ans.sum()))
    loss = lost3 / n_ans
    accuracy = (caught + int(top1.sum()) - lost1) / max(1, len(scored))
    allowed = loss <= max_loss + 1e-12
    i = int(np.flatnonzero(allowed)[np.argmax(accuracy[allowed])]) if allowed.any() else 0
    t = float(cuts[i])
    return t, {**score_at(scored, t), "hit_at_3_loss": round(float(loss[i]), 4)}


def score_at(scored: Sequence[Scored], t: float) -> dict[str, float | int | None]:
    """Full accuracy and abstention precision and recall of a threshold over scored questions."""
    abstain = [s.confidence < t for s in scored]
    right = sum((a and not s.answerable) or (not a and s.top1) for a, s in zip(abstain, scored, strict=True))
    oos = sum(not s.answerable for s in scored)
    caught = sum(a and not s.answerable for a, s in zip(abstain, scored, strict=True))
    return {"questions": len(scored), "no_article": oos,
            "full_accuracy": round(right / len(scored), 4) if scored else None,
            "abstain_precision": round(caught / sum(abstain), 4) if any(abstain) else None,
            "abstain_recall": round(caught / oos, 4) if oos else None}
