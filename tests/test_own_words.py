"""Whether the first article's own questions ever used a question's words (adapters/search/lexicon.py): a
question near an article whose rarer words that article never met is less likely about it."""

from __future__ import annotations

import random

import numpy as np

from adapters.search.abstention import CalibratedRanker
from adapters.search.answerability import FEATURES, Evidence
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.stored import ranker_state, restore_ranker
from core.kb import NO_ARTICLE, Article, Library
from tests.abstention_topics import WITH_ARTICLE, few_shot_world, questions

OWN = FEATURES.index("own_words")


def history(rnd: random.Random) -> tuple[list[str], list[str]]:
    """Twenty past questions per article, and a few *I still need help* ones about parking."""
    texts = [q for t in WITH_ARTICLE for q in questions(t, 20, rnd)] + questions("parking", 5, rnd)
    return texts, [t for t in WITH_ARTICLE for _ in range(20)] + [NO_ARTICLE] * 5


def test_words_the_first_article_never_met_count_against_it() -> None:
    rnd = random.Random(3)
    evidence = Evidence(*history(rnd))
    # Both are put to the printer article; only the first kind uses the printer's own words.
    printer, canteen = questions("printer", 30, rnd), questions("canteen", 30, rnd)
    x = evidence.features(printer + canteen, [[("printer", 0.9)]] * 60)
    assert ((x[:, OWN] >= 0) & (x[:, OWN] <= 1)).all()  # a weighted share
    assert np.median(x[:30, OWN]) > np.median(x[30:, OWN]) + 0.4
    # A word the deployment never saw weighs as much as its rarest: never a share of 1.
    unseen = evidence.features(["printer zqxj"], [[("printer", 0.9)]])[0, OWN]
    assert 0 < unseen < evidence.features(["printer toner"], [[("printer", 0.9)]])[0, OWN] == 1.0


def test_zero_where_the_first_article_has_no_questions_and_the_same_with_embeddings() -> None:
    rnd = random.Random(4)
    texts, labels = history(rnd)
    evidence = Evidence(texts, labels)
    asked = questions("vpn", 5, rnd)
    assert (evidence.features(asked, [[("unknown-article", 0.9)]] * 5)[:, OWN] == 0).all()
    assert (evidence.features(asked, [[]] * 5)[:, OWN] == 0).all()
    # Embeddings find paraphrases without shared words; whether the article met the words is still a
    # question about words, so the signal is the same with them.
    vectors = np.random.default_rng(0).normal(size=(len(texts) + len(asked), 8))
    lookup = {t: v / np.linalg.norm(v) for t, v in zip(texts + asked, vectors, strict=True)}
    embedded = Evidence(texts, labels, dense=lambda ts: np.vstack([lookup[t] for t in ts]))
    ranked = [[("vpn", 0.9)]] * 5
    own = evidence.features(asked, ranked)[:, OWN]
    np.testing.assert_allclose(embedded.features(asked, ranked)[:, OWN], own)
    assert (own > 0).all()


def test_learning_the_lexicon_leaves_the_word_vectors_of_the_other_signals_as_they_were() -> None:
    # The lexicon counts words from the same matrix the neighbour signals read (light back end): a first
    # build overwrote its weights with ones, and the nearest questions' cosines went above 1.
    rnd = random.Random(5)
    texts, labels = history(rnd)
    evidence = Evidence(texts, labels)
    x = evidence.features(texts[:40], [[(label, 0.9)] for label in labels[:40]])
    near1 = x[:, FEATURES.index("near1")]
    assert np.allclose(near1, 1.0)  # each history question is its own nearest: cosine 1, not a count


def calibrated() -> tuple[CalibratedRanker, list[str]]:
    articles, past, asked = few_shot_world()
    ranker = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    Library(ranker).load([Article(id=i, title=t, body=b) for i, t, b in articles], past)
    return ranker, [q for q, _ in asked[:30]]


def test_a_stored_model_reads_the_same_signal_and_one_stored_before_it_reads_none() -> None:
    ranker, texts = calibrated()
    assert ranker.evidence is not None
    x = ranker.evidence.features(texts, [ranker.inner.search(t, 10) for t in texts])
    assert np.ptp(x[:, OWN]) > 0
    state = ranker_state(ranker)
    restored = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    restore_ranker(restored, state)
    assert restored.evidence is not None
    again = restored.evidence.features(texts, [restored.inner.search(t, 10) for t in texts])
    np.testing.assert_allclose(again[:, OWN], x[:, OWN])
    # A model stored before the lexicon existed has no "lexicon" entry: the signal is 0 and its answer
    # model, fitted on fewer signals, never reads it.
    state.meta["evidence"]["lexicon"] = None
    older = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    restore_ranker(older, state)
    assert older.evidence is not None
    assert (older.evidence.features(texts, [older.inner.search(t, 10) for t in texts])[:, OWN] == 0).all()
