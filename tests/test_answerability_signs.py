"""The answer model may not weigh a signal that can only vouch for an article against it."""

from __future__ import annotations

import numpy as np

from adapters.search.answerability import FEATURES, MONOTONE, answer_model


def sibling_like_history(n: int = 2000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Rows where the first article's odds and its lead are nearly the same signal and "right" follows their
    difference: an unconstrained regression weighs the odds negatively, as it did on held-out articles."""
    rnd = np.random.default_rng(seed)
    x = rnd.normal(size=(n, len(FEATURES)))
    x[:, 1] = x[:, 0] + 0.3 * rnd.normal(size=n)  # margin follows top1 closely
    right = (x[:, 1] - x[:, 0] + 0.1 * rnd.normal(size=n)) > 0
    return x, right


def test_raising_a_vouching_signal_never_lowers_the_chance_that_the_first_article_is_right() -> None:
    x, right = sibling_like_history()
    model = answer_model(x, right)
    assert model is not None
    base = np.zeros((1, len(FEATURES)))
    for j, name in enumerate(FEATURES):
        if name not in MONOTONE:
            continue
        higher = base.copy()
        higher[0, j] = 3.0
        assert model.predict_proba(higher)[0, 1] >= model.predict_proba(base)[0, 1] - 1e-9, name


def test_the_model_without_the_svm_margins_keeps_the_same_signs() -> None:
    # The answer model may be fitted on the signals before the SVM's margins (abstention.fit_answer_model);
    # those are the same signals and vouch the same way (it was fitted unconstrained until session 12).
    x, right = sibling_like_history()
    narrow = answer_model(x[:, :FEATURES.index("claim")], right)
    assert narrow is not None
    weights = narrow.steps[-1][1].coef_[0]
    assert weights[FEATURES.index("margin")] > 0 and weights[FEATURES.index("top1")] == 0.0


def test_the_constrained_model_keeps_the_signal_that_vouches_and_honours_row_weights() -> None:
    x, right = sibling_like_history()
    model = answer_model(x, right)
    assert model is not None
    weights = model.steps[-1][1].coef_[0]
    assert weights[FEATURES.index("margin")] > 0 and weights[FEATURES.index("top1")] == 0.0
    # Sample weights are honoured: weighing the wrong rows ten times lowers every chance.
    heavier = answer_model(x, right, np.where(right, 1.0, 10.0))
    assert heavier is not None
    assert heavier.predict_proba(x)[:, 1].mean() < model.predict_proba(x)[:, 1].mean()


def test_the_shown_confidence_rises_inside_a_flat_step_of_the_isotonic_map() -> None:
    from adapters.search.calibration import TIE_BREAK, shown_confidence

    # A staircase: every chance between 0.2 and 0.6 maps to 0.3; a threshold could only sit at its edges.
    xs, ys = [0.0, 0.2, 0.6, 1.0], [0.0, 0.3, 0.3, 1.0]
    chance = np.linspace(0.25, 0.55, 7)
    shown = shown_confidence(chance, xs, ys)
    assert np.all(np.diff(shown) > 0)  # ordered as the model ordered them: a threshold can split the step
    assert np.all(np.abs(shown - 0.3) <= TIE_BREAK) and np.all((shown >= 0) & (shown <= 1))
    assert shown_confidence(np.array([0.0, 1.0]), xs, ys).tolist() == [0.0, 1.0]
