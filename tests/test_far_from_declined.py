"""How near a question is to past *I still need help* questions (adapters/search/answerability.py): people ask
again about what no article covers, so with word vectors that nearness is evidence no article fits."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from adapters.search.abstention import CalibratedRanker
from adapters.search.answerability import FEATURES, Evidence
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from core.kb import NO_ARTICLE, Article, Library
from tests.abstention_topics import WITH_ARTICLE, few_shot_world, questions

FAR = FEATURES.index("far_from_declined")


def history(rnd: random.Random, declined: Sequence[str]) -> tuple[list[str], list[str]]:
    """Twenty past questions per article, and ten *I still need help* ones per declined topic."""
    texts = [q for t in WITH_ARTICLE for q in questions(t, 20, rnd)]
    labels = [t for t in WITH_ARTICLE for _ in range(20)]
    for topic in declined:
        texts += questions(topic, 10, rnd)
        labels += [NO_ARTICLE] * 10
    return texts, labels


def test_a_question_like_past_declined_ones_is_nearer_them_than_one_an_article_covers() -> None:
    rnd = random.Random(5)
    evidence = Evidence(*history(rnd, ["payroll", "parking"]))
    again, covered = questions("payroll", 30, rnd), questions("vpn", 30, rnd)
    x = evidence.features(again + covered, [[("vpn", 0.9)]] * 60)
    assert (x[:, FAR] <= 0).all() and (x[:, FAR] >= -1 - 1e-9).all()  # minus a cosine
    assert np.median(x[:30, FAR]) < np.median(x[30:, FAR]) - 0.2


def test_without_declines_on_record_or_with_embeddings_the_signal_is_zero() -> None:
    rnd = random.Random(6)
    asked = questions("payroll", 5, rnd) + questions("vpn", 5, rnd)
    none_declined = Evidence(*history(rnd, []))
    assert (none_declined.features(asked, [[("vpn", 0.9)]] * 10)[:, FAR] == 0).all()
    # With embeddings the SVM's margins and the articles' shapes carry it (CLINC150 validation: recall fell)
    texts, labels = history(rnd, ["payroll"])
    vectors = np.random.default_rng(0).normal(size=(len(texts) + len(asked), 8))
    lookup = {t: v / np.linalg.norm(v) for t, v in zip(texts + asked, vectors, strict=True)}
    embedded = Evidence(texts, labels, dense=lambda ts: np.vstack([lookup[t] for t in ts]))
    near = embedded.features(asked, [[("vpn", 0.9)]] * 10)
    assert (near[:, FAR] == 0).all() and (near[:, FEATURES.index("near1")] != 0).any()


def learnt_how(declines: int) -> str:
    articles, past, _ = few_shot_world(declines=declines)
    ranker = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    Library(ranker).load([Article(id=i, title=t, body=b) for i, t, b in articles], past)
    assert ranker.calibration is not None
    return ranker.calibration.how


def test_the_admin_is_told_of_the_signal_and_of_the_declines_only_where_some_are_on_record() -> None:
    how = learnt_how(declines=80)
    assert "far_from_declined" in how and "80 of them 'I still need help'" in how
    # Without declines it never varies, so it weighs nothing and is not named (nor is the SVM's margin of
    # "no article fits", never learnt then).
    how = learnt_how(declines=0)
    assert "far_from_declined" not in how and "unlike_declined" not in how and "top1" in how
    assert "0 of them 'I still need help'" in how and "no 'I still need help' on record" in how
