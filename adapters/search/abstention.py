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
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from adapters.search.answerability import FEATURES, SAMPLE_WEIGHT, Evidence, answer_model
from adapters.search.traffic import ASKED, Reading, Traffic, adapt, follows, reading_of, reshaped
from core.kb import NO_ARTICLE, Ranker

FOLDS = 5
MIN_HISTORY = 50  # fewer questions than this make a calibration of noise: the ranker's own threshold stays
# Answerable questions may lose at most 2 points of hit@3 to abstention. New questions are often harder than
# the history's (the folds' answerable questions are no less sure than the full ranker's on CLINC150, yet a
# 2-point budget in cross-validation cost 2.4 points on its validation split, a 1-point one 1.7 to 2.1):
# the budget in cross-validation is 1 point (chosen there).
MAX_LOSS = 0.01
TARGET_PRECISION = 0.85  # abstentions that should be right (no article fitted), when the loss budget allows
# A threshold counts as meeting that precision only if it also catches this share of the questions no article
# fits: with sentence embeddings the only 85%-right thresholds in cross-validation abstained on a handful
# (recall 0.001), and preferring them silenced abstention (set a priori, not tuned on a test split).
MIN_PRECISE_RECALL = 0.25
RECALIBRATE_GROWTH = 0.25  # history or articles growing by this share since the last CV trigger a new one
DEPTH = 10  # the ranker's answers the evidence looks at
# The isotonic map is a staircase: the threshold could only sit between its few steps, and on Banking77 the
# best step below the budget abstained on 4% of the questions with no article (cross-validated loss 0.1 of
# 1 point). This share of the model's own chance makes the shown confidence strictly increasing, so the
# threshold can sit inside a step (calibration moves by at most this much). Banking77 validation (training
# split): recall 0.085 -> 0.178 light, 0.237 -> 0.299 semantic; CLINC150 validation unchanged.
TIE_BREAK = 0.001


@dataclass
class Calibration:
    """What the cross-validation learnt: the answer model, its confidence map, the threshold and how."""

    threshold: float
    how: str
    model: Any = None  # FEATURES -> chance the first article is right (answerability.answer_model)
    xs: list[float] = field(default_factory=list)  # isotonic knots: the model's chance ...
    ys: list[float] = field(default_factory=list)  # ... and the share of first articles that were right
    cv: dict[str, float | int | None] = field(default_factory=dict)
    settings: dict[str, float | int | str] = field(default_factory=dict)  # method, folds, targets
    reading: Reading | None = None  # what the asked questions are read with (adapters/search/traffic.py)
    traffic: Traffic | None = None  # what they said

    @property
    def effective(self) -> float:
        """The threshold in force, on the shown scale: the history's, raised where the asked questions say to
        stay quiet."""
        t = max(self.threshold, self.traffic.threshold) if self.traffic is not None else self.threshold
        return self.on_shown(t)

    def on_shown(self, history_scale: float) -> float:
        """A confidence as the history calibrated it, on the scale the bot shows (the same unless the shown
        confidence follows the asked questions)."""
        if self.reading is None or self.traffic is None or not follows(self.reading, self.traffic):
            return history_scale
        return float(reshaped(np.asarray([history_scale]), self.reading, self.traffic)[0])

    def history_confidence(self, x: np.ndarray) -> np.ndarray:
        """The confidence as the history's cross-validation calibrated it, for rows of FEATURES (the raw
        top-1 odds when nothing was learnt)."""
        x = np.atleast_2d(x)
        p = self.model.predict_proba(x)[:, 1] if self.model is not None else x[:, 0]
        return shown_confidence(p, self.xs, self.ys)

    def confidence(self, x: np.ndarray) -> np.ndarray:
        """The confidence the bot shows for rows of FEATURES: the history's, following the asked questions
        where the deployment's own "I still need help" questions say what an unanswerable one looks like."""
        shown = self.history_confidence(x)
        if self.reading is None or self.traffic is None or not follows(self.reading, self.traffic):
            return shown
        return reshaped(shown, self.reading, self.traffic)

    def to_dict(self) -> dict[str, object]:
        """JSON-able summary for `fixloop backtest kb` and /healthz-like reports."""
        how, traffic = self.how, self.traffic
        report = traffic.to_dict() if traffic is not None else None
        if traffic is not None and report is not None:
            against = ("its own 'I still need help' questions" if self.reading and self.reading.from_declines
                       else "the held-out articles' questions")
            how += (f"; of the {traffic.asked} questions asked most recently, an estimated "
                    f"{traffic.no_article_share:.0%} have no article (EM of Saerens et al. 2002 against "
                    f"{against}; no label read)")
            if traffic.threshold > self.threshold:
                how += (f", so the bot also stays quiet under {self.on_shown(traffic.threshold):.3f}, where "
                        f"its abstentions are estimated {traffic.estimated_precision or 0:.0%} right")
            if follows(self.reading, traffic):
                how += "; the shown confidence follows that share"
            raised = self.on_shown(traffic.threshold) if traffic.threshold > 0 else 0.0  # 0: none raised
            report = {**report, "threshold": round(raised, 4),
                      "against": "declines" if self.reading and self.reading.from_declines else "held-out"}
        return {"threshold": round(self.effective, 4),
                "history_threshold": round(self.on_shown(self.threshold), 4), **self.settings, "how": how,
                "cross_validation": self.cv, "traffic": report}


@dataclass(frozen=True)
class Scored:
    """One held-out question: its top confidence, whether the first / first three were right, and whether a
    person already said no article fitted it (an *I still need help* row, not a held-out article's)."""

    confidence: float
    top1: bool
    top3: bool
    answerable: bool
    declined: bool = False


class CalibratedRanker:
    """A ranker whose confidences and abstention threshold come from held-out-article cross-validation.

    The threshold decides per question whether any article fits (`per_question`): when the first clears it,
    the runners-up are offered too, so the hit@3 the threshold was chosen to keep is the hit@3 people see.
    """

    per_question = True

    def __init__(self, make: Callable[[], Ranker], *, folds: int = FOLDS, max_loss: float = MAX_LOSS,
                 target_precision: float = TARGET_PRECISION, min_history: int = MIN_HISTORY,
                 seed: int = 0) -> None:
        self.make, self.folds, self.max_loss = make, folds, max_loss
        self.target_precision, self.min_history, self.seed = target_precision, min_history, seed
        self.inner = make()
        self.name = str(getattr(self.inner, "name", "custom"))
        self.calibration: Calibration | None = None
        self.evidence: Evidence | None = None
        self._sizes = (0, 0)  # (articles, history) at the last cross-validation
        self._asked: list[str] = []  # the questions adapt() last read, to read again after a new calibration

    @property
    def abstain_below(self) -> float:
        """The learnt threshold, or the inner ranker's own before there is history enough."""
        if self.calibration is not None:
            return self.calibration.effective
        return float(getattr(self.inner, "abstain_below", 0.12))

    def adapt(self, asked: Sequence[str]) -> Traffic | None:
        """Read the questions this deployment was asked (no label): where many have no article, stay quiet
        more (adapters/search/traffic.py). Kept until the next call, and re-read after a new calibration."""
        texts = [t for t in asked if t.strip()]
        self._asked = texts[:: -(-len(texts) // ASKED)] if len(texts) > ASKED else texts  # evenly, if many
        cal = self.calibration
        if cal is None or self.evidence is None or cal.reading is None:
            return None
        cal.traffic = None  # read them as the history calibrated them, not as the last traffic did
        shown = [ranked[0][1] for ranked in (self.search(t, 1) for t in self._asked) if ranked]
        cal.traffic = adapt(shown, cal.reading)
        return cal.traffic

    def fit(self, docs: Sequence[tuple[str, str]], history: Sequence[tuple[str, str]] = ()) -> None:
        """Fit the inner ranker on everything; re-learn the calibration when the data grew enough."""
        self.inner.fit(docs, history)
        sizes = (len({d for d, _ in docs}), len(history))
        if len(history) < self.min_history:
            self.calibration, self.evidence, self._sizes = None, None, (0, 0)
            return
        self.evidence = evidence_of(self.inner, docs, history)
        if self.calibration is None or _grew(self._sizes, sizes):
            self.calibration = learn_calibration(self.make, docs, history, folds=self.folds,
                                                 max_loss=self.max_loss, seed=self.seed,
                                                 target_precision=self.target_precision)
            self._sizes = sizes
            if self._asked:
                self.adapt(self._asked)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The inner ranking; with a calibration, the first article's confidence is the learnt chance that
        it is right, and the others keep their share of it."""
        ranked = self.inner.search(text, max(limit, DEPTH))
        if self.calibration is None or self.evidence is None or not ranked:
            return ranked[:limit]
        p = float(self.calibration.confidence(self.evidence.features([text], [ranked]))[0])
        top = ranked[0][1]
        return [(aid, p * c / top if top > 0 else 0.0) for aid, c in ranked[:limit]]


def evidence_of(ranker: Ranker, docs: Sequence[tuple[str, str]],
                history: Sequence[tuple[str, str]]) -> Evidence:
    """The evidence over what the ranker was fitted on, in its embedding space when it has one."""
    dense = getattr(getattr(ranker, "features", None), "dense", None)
    return Evidence([t for _, t in docs] + [t for t, _ in history],
                    [d for d, _ in docs] + [a for _, a in history], dense=dense if callable(dense) else None)


def _grew(before: tuple[int, int], now: tuple[int, int]) -> bool:
    return any(n > b * (1 + RECALIBRATE_GROWTH) or n < b * (1 - RECALIBRATE_GROWTH)
               for b, n in zip(before, now, strict=True))


def learn_calibration(make: Callable[[], Ranker], docs: Sequence[tuple[str, str]],
                      history: Sequence[tuple[str, str]], *, folds: int = FOLDS, max_loss: float = MAX_LOSS,
                      target_precision: float = TARGET_PRECISION, seed: int = 0) -> Calibration:
    """Cross-validate with whole articles held out, learn the answer model and its map, pick the threshold."""
    scored, x = held_out_scores(make, docs, history, folds=folds, seed=seed)
    right = np.asarray([s.top1 and s.answerable for s in scored])
    weight = decline_weights(scored)
    model = answer_model(x, right, weight)
    if model is None:  # every held-out first article right, or none: the raw odds are all there is
        chance = x[:, 0]
    else:  # out-of-fold chances, so the map and the threshold see the model on questions it did not fit
        splits = StratifiedKFold(n_splits=min(folds, int(min(right.sum(), (~right).sum()))) or 2,
                                 shuffle=True, random_state=seed)
        chance = cross_val_predict(answer_model(x, right, weight), x, right, cv=splits,
                                   method="predict_proba", params={SAMPLE_WEIGHT: weight})[:, 1]
    xs, ys = fit_isotonic(chance.tolist(), right.tolist())
    shown = shown_confidence(chance, xs, ys)
    calibrated = [Scored(float(c), s.top1, s.top3, s.answerable) for c, s in zip(shown, scored, strict=True)]
    threshold, cv = choose_threshold(calibrated, max_loss, target_precision)
    flags = np.asarray([(s.answerable, s.declined, s.top1) for s in scored], dtype=bool).reshape(-1, 3)
    reading = reading_of(shown, flags[:, 0], flags[:, 1], flags[:, 2], fit_isotonic)
    oos = sum(not s.answerable for s in scored)
    how = (f"{folds}-fold cross-validation over {len(scored)} past questions with a fifth of the articles "
           f"held out each time ({oos} questions played 'no article fits', 'I still need help' included); "
           f"a logistic regression over {len(FEATURES)} signals ({', '.join(FEATURES)}; all but length may "
           f"only weigh for an article), with the 'I still "
           f"need help' questions weighing as much as the held-out articles' together, gives the chance "
           f"the first article is right, mapped by isotonic regression; threshold = the best full accuracy "
           f"whose answerable hit@3 loss stays within {max_loss * 100:g} point(s), preferring abstentions "
           f"at least {target_precision:.0%} right")
    settings: dict[str, float | int | str] = {
        "method": "held-out-article cross-validation, sign-constrained logistic regression + isotonic map",
        "folds": folds, "target_precision": target_precision, "max_hit_at_3_loss": max_loss}
    return Calibration(threshold=threshold, how=how, model=model, xs=xs, ys=ys, cv=cv, settings=settings,
                       reading=reading)


def held_out_scores(make: Callable[[], Ranker], docs: Sequence[tuple[str, str]],
                    history: Sequence[tuple[str, str]], *, folds: int = FOLDS,
                    seed: int = 0) -> tuple[list[Scored], np.ndarray]:
    """Every history question scored once by a ranker that saw neither it nor, for a fifth, its article;
    with the FEATURES the answer model learns from."""
    rnd = random.Random(seed)
    article_ids = sorted({d for d, _ in docs})
    rnd.shuffle(article_ids)
    article_fold = {aid: i % folds for i, aid in enumerate(article_ids)}
    row_fold = [rnd.randrange(folds) for _ in history]
    out: list[Scored] = []
    rows: list[np.ndarray] = []
    for f in range(folds):
        held = {aid for aid, k in article_fold.items() if k == f}
        train_docs = [(d, t) for d, t in docs if d not in held]
        train = [(t, a) for (t, a), k in zip(history, row_fold, strict=True) if k != f and a not in held]
        ranker = make()
        ranker.fit(train_docs, train)
        asked = [(t, a) for (t, a), k in zip(history, row_fold, strict=True) if k == f]
        ranked = [ranker.search(text, limit=DEPTH) for text, _ in asked]
        rows.append(evidence_of(ranker, train_docs, train).features([t for t, _ in asked], ranked))
        out += [_scored(r, aid != NO_ARTICLE and aid not in held, aid) for (_, aid), r in
                zip(asked, ranked, strict=True)]
    return out, np.vstack(rows) if rows else np.zeros((0, len(FEATURES)))


def _scored(ranked: Sequence[tuple[str, float]], answerable: bool, aid: str) -> Scored:
    ids = [r for r, _ in ranked[:3]]
    return Scored(ranked[0][1] if ranked else 0.0, answerable and ids[:1] == [aid], answerable and aid in ids,
                  answerable, aid == NO_ARTICLE)


def decline_weights(scored: Sequence[Scored]) -> np.ndarray:
    """Sample weights for the answer model: the *I still need help* questions, together, weigh as much as
    the held-out articles' questions together (each of the others weighs 1).

    Held-out articles are siblings of the kept ones; real out-of-scope questions are further from every
    article and are what the deployment meets. Weighted so, the model learns their signals too (CLINC150
    validation, light: out-of-scope recall 0.65 -> 0.72 at 2 points of hit@3; x10 instead: 0.67).
    """
    declined = np.asarray([s.declined for s in scored], dtype=bool)
    simulated = int(sum(not s.answerable and not s.declined for s in scored))
    share = simulated / declined.sum() if declined.any() and simulated else 1.0
    return np.where(declined, max(1.0, share), 1.0)


def shown_confidence(chance: np.ndarray, xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
    """The isotonic map of the model's chance, strictly increasing by TIE_BREAK of the chance itself."""
    p = np.asarray(chance, dtype=float)
    return (1 - TIE_BREAK) * np.interp(p, xs, ys) + TIE_BREAK * p if len(xs) else p


def fit_isotonic(confidences: Sequence[float], correct: Sequence[bool]) -> tuple[list[float], list[float]]:
    """Knots of the non-decreasing map from raw confidence to the share of right first articles."""
    if len(set(confidences)) < 2:
        return [], []
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float))
    return [float(x) for x in iso.X_thresholds_], [float(y) for y in iso.y_thresholds_]


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
    return {"questions": len(scored), "no_article": oos,
            "full_accuracy": round(right / len(scored), 4) if scored else None,
            "abstain_precision": round(caught / sum(abstain), 4) if any(abstain) else None,
            "abstain_recall": round(caught / oos, 4) if oos else None}
