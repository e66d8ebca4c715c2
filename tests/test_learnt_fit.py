"""What the answer model learns: whether the first article is right, or (with embeddings) whether any article
fits (abstention.LEARNS_FIT). Abstaining is about the second: a question with an article whose first answer
is wrong is no better served by silence, and its runners-up often hold the article."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

from adapters.search.abstention import LEARNS_FIT, fit_answer_model
from adapters.search.answerability import FEATURES
from adapters.search.scoring import calibration_error
from core.kb import Library
from tests.test_traffic_abstention import calibrated, fixture

MARGIN, NEAR = FEATURES.index("margin"), FEATURES.index("near1")


def world(n: int, rnd: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signals of n questions, whether an article fits each, and whether the first article is right: the
    nearest past question tells whether any article fits, the lead of the first whether it is the one."""
    fits = rnd.random(n) < 0.7
    first_right = fits & (rnd.random(n) < 0.75)
    x = rnd.normal(size=(n, len(FEATURES)))
    x[:, NEAR] += np.where(fits, 1.5, -1.5)
    x[:, MARGIN] += np.where(first_right, 1.5, -1.5)
    return x, fits, first_right


def test_learning_whether_an_article_fits_puts_wrong_first_answers_above_questions_without_one() -> None:
    rnd = np.random.default_rng(3)
    x, fits, right = world(1_200, rnd)
    _, learnt_fit = fit_answer_model(x, fits, np.ones(len(fits)))
    _, learnt_right = fit_answer_model(x, right, np.ones(len(fits)))
    wrong_first = fits & ~right  # an article fits, the first is not it: silence serves no one better
    pair = wrong_first | ~fits
    # Ranked against the questions no article fits, the first kind comes out on top far more often when the
    # model learnt whether an article fits; learnt as "first right", both sit low together.
    fit_auc = roc_auc_score(wrong_first[pair], learnt_fit[pair])
    right_auc = roc_auc_score(wrong_first[pair], learnt_right[pair])
    assert fit_auc > 0.9 and fit_auc > right_auc + 0.1
    # Among the lowest fifth of chances (where a threshold would fall), fewer questions have an article.
    low_fit = np.argsort(learnt_fit)[: len(fits) // 5]
    low_right = np.argsort(learnt_right)[: len(fits) // 5]
    assert (~fits[low_fit]).mean() > (~fits[low_right]).mean() + 0.05


def test_with_embeddings_the_model_learns_whether_an_article_fits_and_says_so() -> None:
    articles, history, asked = fixture()
    light = calibrated()
    semantic = calibrated()
    semantic.name = "minilm+tfidf"  # the back end's name decides; the fixture's vectors stay lexical
    for ranker in (light, semantic):
        Library(ranker).load(articles, history)
    assert "minilm+tfidf" in LEARNS_FIT and light.name not in LEARNS_FIT
    fit_cal, right_cal = semantic.calibration, light.calibration
    assert fit_cal is not None and right_cal is not None
    assert fit_cal.settings["learns"] == "an article fits" and "gives the chance an article fits" in fit_cal.how
    assert right_cal.settings["learns"] == "the first article is right"
    assert "gives the chance the first article is right" in right_cal.how
    # Different lessons from the same questions: in the fixture some first articles are wrong.
    # (each lesson may also keep or drop the SVM's margins: a model of another width differs too)
    fit_coef, right_coef = fit_cal.model[-1].coef_, right_cal.model[-1].coef_
    assert fit_coef.shape != right_coef.shape or not np.allclose(fit_coef, right_coef)
    # The shown confidence is the share of right first articles, not the chance an article fits: on the asked
    # questions the isotonic map lands nearer how often the first article is right than the model's chance.
    evidence = semantic.evidence
    assert evidence is not None and fit_cal.model is not None
    texts = [q for q, _ in asked]
    ranked = [semantic.inner.search(t, 10) for t in texts]
    x = evidence.features(texts, ranked)
    right = [bool(r) and r[0][0] == a for r, (_, a) in zip(ranked, asked, strict=True)]
    chance = fit_cal.model.predict_proba(x[:, :fit_cal.model.n_features_in_])[:, 1]
    assert calibration_error(list(fit_cal.history_confidence(x)), right) < calibration_error(list(chance), right)
