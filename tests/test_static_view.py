"""The light back end's semantic view (adapters/search/static_vectors.py): sentence vectors from a token table
distilled from MiniLM, read as evidence of whether an article fits (answerability "static_*" signals)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from adapters.search import answerability
from adapters.search.abstention import CalibratedRanker
from adapters.search.answerability import FEATURES, STATIC_PER_ARTICLE, Evidence, _near
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.static_vectors import static_vectors
from adapters.search.stored import ranker_state, restore_ranker
from core.kb import NO_ARTICLE, Article, Library
from tests.abstention_topics import WITH_ARTICLE, few_shot_world, questions

STATIC = [FEATURES.index(n) for n in ("static_near", "static_agree", "static_centroid")]


def kept(texts: list[str]) -> np.ndarray:
    """The vectors the view keeps for texts: rounded to float16, as a stored model holds them."""
    return static_vectors(texts).astype(np.float16).astype(np.float32)


def test_paraphrases_that_share_no_word_lie_nearer_than_unrelated_questions() -> None:
    v = static_vectors(["my laptop will not turn on", "computer does not boot", "when is the canteen open",
                        "", "?!"])
    assert v.shape == (5, 256) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v[:3], axis=1), 1.0, rtol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1  # no word in common, yet nearer
    assert not v[3].any()  # nothing to tokenise: no direction at all
    assert static_vectors([]).shape == (0, 256)


def history(rnd: random.Random) -> tuple[list[str], list[str]]:
    texts = [q for t in WITH_ARTICLE for q in questions(t, 20, rnd)] + questions("parking", 5, rnd)
    return texts, [t for t in WITH_ARTICLE for _ in range(20)] + [NO_ARTICLE] * 5


def test_light_evidence_reads_the_static_view_and_with_embeddings_it_is_zero() -> None:
    rnd = random.Random(7)
    texts, labels = history(rnd)
    evidence = Evidence(texts, labels)
    printer, canteen = questions("printer", 20, rnd), questions("canteen", 20, rnd)
    offered = [("printer", 0.9)] + [(t, 0.01) for t in WITH_ARTICLE if t != "printer"]
    x = evidence.features(printer + canteen, [offered] * 40)
    near, agree, centre = (x[:, j] for j in STATIC)
    # Put to the printer article, printer questions sit near its questions and their votes; canteen ones not.
    assert np.median(centre[:20]) > np.median(centre[20:]) + 0.1
    assert np.median(agree[:20]) > 0.5 > np.median(agree[20:])
    # Stored vectors are float16-rounded: a unit vector may read a cosine a hair above 1 with itself.
    assert (near <= 1 + 1e-3).all() and np.median(near[:20]) > np.median(near[20:])
    # With MiniLM in reach (a dense function) the view would only echo it: the signals stay 0.
    vectors = np.random.default_rng(0).normal(size=(len(texts) + 40, 8))
    lookup = {t: v / np.linalg.norm(v) for t, v in zip(texts + printer + canteen, vectors, strict=True)}
    embedded = Evidence(texts, labels, dense=lambda ts: np.vstack([lookup[t] for t in ts]))
    assert embedded.static is None
    assert not embedded.features(printer, [[("printer", 0.9)]] * 20)[:, STATIC].any()


def test_the_nearest_questions_are_sought_among_the_offered_and_the_views_nearest_articles_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Bounded at any number of articles: the ranker's ten and the view's own nearest, not every article's.
    monkeypatch.setattr(answerability, "STATIC_CENTRES", 1)
    rnd = random.Random(9)
    texts, labels = history(rnd)
    evidence = Evidence(texts, labels)
    asked = questions("laptop", 10, rnd) + questions("vpn", 10, rnd)
    got = evidence.features(asked, [[("printer", 0.9), ("wifi", 0.05)]] * 20)
    both, query = np.array(labels), static_vectors(asked)
    answered = both != NO_ARTICLE
    vectors = kept([t for t, k in zip(texts, answered, strict=True) if k])
    names = sorted(set(both[answered]))
    centres = np.vstack([vectors[both[answered] == n].mean(axis=0) for n in names])
    own = [names[j] for j in np.argmax(query @ (centres / np.linalg.norm(centres, axis=1, keepdims=True)).T,
                                       axis=1)]
    assert own == ["laptop"] * 10 + ["vpn"] * 10  # the view finds each question's own article
    for i, nearest in enumerate(own):
        rows = np.isin(both[answered], ["printer", "wifi", nearest])
        expected = _near(query[i:i + 1] @ vectors[rows].T, both[answered][rows], np.array(["printer"]))
        np.testing.assert_allclose(got[i, STATIC[:2]], expected[0, [0, 2]], rtol=1e-5)
    # Their own article's questions outvote printer's: the ranker's first article finds little agreement.
    assert got[:, STATIC[1]].max() < 0.5
    # Without the view's own articles, only printer and wifi vote, and printer takes their share.
    monkeypatch.setattr(answerability, "STATIC_CENTRES", 0)
    offered_only = evidence.features(asked, [[("printer", 0.9), ("wifi", 0.05)]] * 20)
    assert (offered_only[:, STATIC[1]] >= got[:, STATIC[1]] - 1e-9).all()
    assert offered_only[:, STATIC[1]].mean() > got[:, STATIC[1]].mean() + 0.1
    assert (offered_only[:, STATIC[0]] < got[:, STATIC[0]]).all()  # their nearest lay in their own article


def test_a_stored_model_reads_the_same_view_and_one_stored_before_it_reads_none() -> None:
    articles, past, asked = few_shot_world()
    ranker = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    Library(ranker).load([Article(id=i, title=t, body=b) for i, t, b in articles], past)
    texts = [q for q, _ in asked[:30]]
    assert ranker.evidence is not None
    x = ranker.evidence.features(texts, [ranker.inner.search(t, 10) for t in texts])
    assert (np.ptp(x[:, STATIC], axis=0) > 0).all()
    state = ranker_state(ranker)
    assert state.arrays["evidence.static"].dtype == np.float16  # half the bytes of float32, read back exactly
    restored = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    restore_ranker(restored, state)
    assert restored.evidence is not None and restored.evidence.static is not None
    np.testing.assert_array_equal(restored.evidence.static, ranker.evidence.static)
    assert restored.evidence is not None
    again = restored.evidence.features(texts, [restored.inner.search(t, 10) for t in texts])
    np.testing.assert_allclose(again[:, STATIC], x[:, STATIC], rtol=1e-6)
    # Stored before the view existed: no "static" entry, so the signals read 0 and that model's answer
    # model, fitted on fewer signals, never reads them.
    del state.meta["evidence"]["static"]
    older = CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))
    restore_ranker(older, state)
    assert older.evidence is not None
    assert not older.evidence.features(texts, [older.inner.search(t, 10) for t in texts])[:, STATIC].any()


def test_the_view_keeps_each_articles_latest_questions_and_no_declines() -> None:
    # Memory and the stored model grow with the articles, not with the tickets.
    rnd = random.Random(8)
    texts = questions("printer", STATIC_PER_ARTICLE + 50, rnd) + questions("vpn", 30, rnd) + ["parking"] * 5
    labels = ["printer"] * (STATIC_PER_ARTICLE + 50) + ["vpn"] * 30 + [NO_ARTICLE] * 5
    evidence = Evidence(texts, labels)
    assert evidence.static is not None
    assert evidence.static_labels.tolist() == ["printer"] * STATIC_PER_ARTICLE + ["vpn"] * 30
    np.testing.assert_array_equal(evidence.static[:STATIC_PER_ARTICLE], kept(texts[50:STATIC_PER_ARTICLE + 50]))
