"""The SVM's own margins as signals of whether any article fits (LearnedRanker.claims), kept only where the
history says they help (abstention.fit_answer_model), and read by models stored before they existed."""

from __future__ import annotations

import random

import numpy as np

from adapters.search.abstention import CalibratedRanker, fit_answer_model
from adapters.search.answerability import FEATURES, answer_model
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.stored import ranker_state, restore_ranker
from core.kb import NO_ARTICLE, Library
from tests.abstention_topics import TOPICS, WITH_ARTICLE, questions
from tests.test_traffic_abstention import fixture

CLAIM, UNLIKE = FEATURES.index("claim"), FEATURES.index("unlike_declined")


def learnt_ranker(declines: bool) -> tuple[LearnedRanker, random.Random]:
    rnd = random.Random(4)
    docs = [(t, f"{t}: " + ", ".join(TOPICS[t])) for t in WITH_ARTICLE]
    history = [(q, t) for t in WITH_ARTICLE for q in questions(t, 20, rnd)]
    if declines:  # people asked about payroll, no article fitted, a person helped
        history += [(q, NO_ARTICLE) for q in questions("payroll", 20, rnd)]
    ranker = LearnedRanker(LexicalFeatures())
    ranker.fit(docs, history)
    return ranker, rnd


def test_an_article_claims_its_own_questions_more_than_questions_about_a_topic_it_lacks() -> None:
    ranker, rnd = learnt_ranker(declines=True)
    own = ranker.claims(questions("vpn", 30, rnd))
    declined = ranker.claims(questions("payroll", 30, rnd))
    assert own.shape == (30, 2)
    # The best article's margin is higher for its own topic, and "no article fits" claims payroll.
    assert np.median(own[:, 0]) > np.median(declined[:, 0])
    assert np.median(own[:, 1]) > np.median(declined[:, 1])


def test_without_declines_or_history_the_claims_are_a_constant_the_model_ignores() -> None:
    ranker, rnd = learnt_ranker(declines=False)
    claims = ranker.claims(questions("vpn", 5, rnd) + questions("canteen", 5, rnd))
    assert (claims[:, 1] == 0).all() and claims[:, 0].std() > 0  # no "no article fits" label was learnt
    cold = LearnedRanker(LexicalFeatures())
    cold.fit([("vpn", "vpn tunnel")])  # no history: no SVM, no margins
    assert (cold.claims(["vpn down"]) == 0).all()
    assert LearnedRanker().claims([]).shape == (0, 2)


def test_the_margins_are_kept_where_they_carry_the_signal_and_dropped_where_they_are_noise() -> None:
    rnd = np.random.default_rng(1)
    n = 400
    x = rnd.normal(size=(n, len(FEATURES)))
    right = x[:, CLAIM] + x[:, UNLIKE] + 0.3 * rnd.normal(size=n) > 0  # only the margins know
    model, chance = fit_answer_model(x, right, np.ones(n))
    assert model.n_features_in_ == len(FEATURES) and chance.shape == (n,)
    # A few dozen questions, the first signal knows and the later ones are noise: the model without them
    # predicts held-out rows better in most draws (one draw is a coin's toss either way; a choice made at
    # random, or never made, keeps it in about half or none of them).
    kept_narrow = 0
    for seed in range(60):
        rnd = np.random.default_rng(seed)
        x = rnd.normal(size=(40, len(FEATURES)))
        x[:, 1:CLAIM] = 0.0
        model, _ = fit_answer_model(x, x[:, 0] + 0.5 * rnd.normal(size=40) > 0, np.ones(40))
        kept_narrow += model.n_features_in_ == CLAIM
    assert kept_narrow >= 40


def test_a_model_stored_before_the_margins_existed_still_reads_its_own_signals() -> None:
    articles, history, asked = fixture()
    ranker = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    Library(ranker).load(articles, history)
    cal, evidence = ranker.calibration, ranker.evidence
    assert cal is not None and evidence is not None
    texts = [q for q, _ in asked[:20]]
    x = evidence.features(texts, [ranker.inner.search(t, 10) for t in texts])
    older = answer_model(x[:, :CLAIM], x[:, 0] > np.median(x[:, 0]))  # fitted on the first seven signals
    assert older is not None
    cal.model = older
    state = ranker_state(ranker)
    restored = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    restore_ranker(restored, state)
    assert restored.calibration is not None and restored.evidence is not None
    assert restored.evidence.claims is not None  # the restored SVM's margins are read again
    again = restored.evidence.features(texts, [restored.inner.search(t, 10) for t in texts])
    np.testing.assert_allclose(again, x)
    np.testing.assert_allclose(restored.calibration.history_confidence(again), cal.history_confidence(x))
    assert [restored.search(t, 3) for t in texts] == [ranker.search(t, 3) for t in texts]


def test_a_suggestion_turns_its_question_into_features_once_though_two_steps_read_its_margins() -> None:
    articles, history, asked = fixture()
    ranker = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    Library(ranker).load(articles, history)
    features = ranker.inner.features
    seen: list[list[str]] = []
    transform = features.transform

    def counted(texts: list[str]) -> object:
        seen.append(list(texts))
        return transform(texts)

    features.transform = counted  # type: ignore[method-assign]
    question = asked[0][0]
    first = ranker.search(question, 3)
    assert seen == [[question]]  # the odds and the evidence's margins share one SVM product
    assert ranker.search(question, 3) == first
    ranker.search(asked[1][0], 3)
    assert seen == [[question], [asked[1][0]]]
    margins = ranker.inner._model.margins([asked[1][0]])
    assert not margins.flags.writeable  # shared with the next reader: nobody may change it in place
