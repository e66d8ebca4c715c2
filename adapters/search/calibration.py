"""What the history's cross-validation learnt, and how the bot shows a confidence with it.

`Calibration` holds the answer model, the isotonic map from its chance to the share of right first articles
(the shown confidence), the history's threshold, and what the asked questions said
(adapters/search/traffic.py). `Scored` is one cross-validated question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression

from adapters.search.traffic import Reading, Traffic, follows, reshaped

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
    model: Any = None  # FEATURES -> chance the first is right or, semantic, an article fits (answer_model)
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
        return float(self._follow(np.asarray([history_scale]))[0])

    def history_confidence(self, x: np.ndarray) -> np.ndarray:
        """The confidence as the history's cross-validation calibrated it, for rows of FEATURES (the raw
        top-1 odds when nothing was learnt)."""
        x = np.atleast_2d(x)
        if self.model is not None:  # a model stored before the last signals existed reads only its own
            width: int = self.model.n_features_in_
            x = x[:, :width]
        p = self.model.predict_proba(x)[:, 1] if self.model is not None else x[:, 0]
        return shown_confidence(p, self.xs, self.ys)

    def confidence(self, x: np.ndarray) -> np.ndarray:
        """The confidence the bot shows for rows of FEATURES: the history's, following the asked questions
        where the deployment's own "I still need help" questions say what an unanswerable one looks like."""
        return self._follow(self.history_confidence(x))

    def _follow(self, shown: np.ndarray) -> np.ndarray:
        if self.reading is None or self.traffic is None or not follows(self.reading, self.traffic):
            return shown
        # strictly increasing in the history's confidence, so the same questions fall under the threshold
        return np.asarray((1 - TIE_BREAK) * reshaped(shown, self.reading, self.traffic) + TIE_BREAK * shown)

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
            estimated = traffic.estimated_precision or 0.0
            if traffic.threshold > self.threshold:
                how += (f", so the bot also stays quiet under {self.on_shown(traffic.threshold):.3f}, where "
                        f"its abstentions are estimated {estimated:.0%} right")
                if estimated < traffic.target_precision:
                    how += (f" (no cut was estimated {traffic.target_precision:.0%} right: this one is "
                            f"estimated to answer the most questions rightly, silence included)")
            if follows(self.reading, traffic):
                how += "; the shown confidence follows that share"
            raised = self.on_shown(traffic.threshold) if traffic.threshold > 0 else 0.0  # 0: none raised
            report = {**report, "threshold": round(raised, 4),  # on the scale shown, as the others
                      "against": "declines" if self.reading and self.reading.from_declines else "held-out"}
        return {"threshold": round(self.effective, 4),
                "history_threshold": round(self.on_shown(self.threshold), 4), "quiet_when": self.quiet_when(),
                **self.settings, "how": how, "cross_validation": self.cv, "traffic": report}

    def quiet_when(self) -> str:
        """When the bot stays quiet, in words an admin reads without the isotonic map: the threshold as a
        chance, and how many past questions it silenced in cross-validation (a threshold inside the map's
        lowest step reads 0.0001, which alone looks like "never")."""
        history, cv = self.on_shown(self.threshold), self.cv
        said = ("The bot stays quiet when the chance that its first article is right is below "
                f"{percent(self.effective)}.")
        questions, no_article = int(cv.get("questions") or 0), int(cv.get("no_article") or 0)
        quiet, rightly = silenced(cv)
        if questions:
            said += (f" In cross-validation {quiet} of {questions} past questions fell below the history's "
                     f"threshold ({percent(history)}); no article fitted {rightly} of them ({no_article} in "
                     f"all had none).")
        traffic = self.traffic
        if traffic is not None and traffic.threshold > self.threshold:
            said += (f" The {traffic.asked} questions asked most recently raised it from {percent(history)}: "
                     f"an estimated {traffic.no_article_share:.0%} of them have no article.")
        return said


def silenced(cv: dict[str, float | int | None]) -> tuple[int, int]:
    """Cross-validated questions under the history's threshold, and those of them no article fits (derived
    from precision and recall for a model stored before the counts were)."""
    if "abstained" in cv:
        return int(cv["abstained"] or 0), int(cv.get("abstained_rightly") or 0)
    precision, recall = cv.get("abstain_precision"), cv.get("abstain_recall")
    if not precision or recall is None:
        return 0, 0
    rightly = round(float(recall) * int(cv.get("no_article") or 0))
    return round(rightly / float(precision)), rightly


def percent(chance: float) -> str:
    """A chance as a percentage with the digits it needs and never an exponent: 21%, 0.5%, 0.011%."""
    p = 100 * chance
    if p >= 1 or p <= 0:
        return f"{max(p, 0):.0f}%"
    return f"{p:.1f}%" if p >= 0.1 else f"{p:.{1 - math.floor(math.log10(p))}f}".rstrip("0") + "%"


@dataclass(frozen=True)
class Scored:
    """One held-out question: its top confidence, whether the first / first three were right, and whether a
    person already said no article fitted it (an *I still need help* row, not a held-out article's)."""

    confidence: float
    top1: bool
    top3: bool
    answerable: bool
    declined: bool = False


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
