"""How a question sits beside its first article's own questions (adapters/search/article_shapes.py): the
same cosine counts for more beside an article whose questions lie close together."""

from __future__ import annotations

import random

import numpy as np
from scipy.sparse import csr_matrix

from adapters.search.answerability import FEATURES, Evidence
from adapters.search.article_shapes import ArticleShapes
from core.kb import NO_ARTICLE
from tests.abstention_topics import TOPICS, WITH_ARTICLE, questions

CENTRE, OWN = FEATURES.index("fit_centroid"), FEATURES.index("fit_own")


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def spread_around(axis: int, spread: float, n: int, rnd: np.random.Generator) -> np.ndarray:
    """n unit vectors around a basis axis of 8 dimensions; the larger `spread`, the further apart."""
    base = np.zeros(8)
    base[axis] = 1.0
    return unit(base + spread * rnd.normal(size=(n, 8)))


def test_the_same_closeness_fits_a_tight_article_better_than_a_spread_one() -> None:
    rnd = np.random.default_rng(0)
    matrix = np.vstack([spread_around(0, 0.1, 30, rnd), spread_around(1, 0.8, 30, rnd),
                        spread_around(2, 0.1, 10, rnd)])
    labels = np.array(["tight"] * 30 + ["spread"] * 30 + [NO_ARTICLE] * 10)
    shapes = ArticleShapes(matrix, labels)
    assert shapes.names == ["spread", "tight"]  # "no article fits" has no shape
    assert shapes.spread[shapes.names.index("tight")] > shapes.spread[shapes.names.index("spread")]
    # One question, scored as if either article ranked first: its own cosines to each are alike.
    query = unit(np.array([[0.7, 0.7, 0, 0, 0, 0, 0, 0]]))
    sims = np.repeat(query @ matrix.T, 2, axis=0)
    fit = shapes.signals(np.repeat(query, 2, axis=0), sims, np.array(["tight", "spread"]))
    # Beside the spread article the question is about as near as its own questions are to each other;
    # beside the tight one it is far short of how near they are to each other.
    assert fit[0, 1] < fit[1, 1] - 0.2


def test_an_unknown_first_article_and_no_vectors_give_zero() -> None:
    shapes = ArticleShapes(np.eye(3), np.array(["a", "a", "b"]))
    fit = shapes.signals(np.eye(3)[:1], np.eye(3)[:1], np.array(["gone"]))
    assert fit.tolist() == [[0.0, 0.0]]
    empty = ArticleShapes(None, np.array(["a"]))
    assert empty.signals(np.eye(1), np.eye(1), np.array(["a"])).tolist() == [[0, 0]]


def test_word_vectors_give_the_signals_too_and_an_article_s_own_questions_fit_it_best() -> None:
    rnd = random.Random(3)
    texts = [q for t in WITH_ARTICLE for q in questions(t, 20, rnd)]
    labels = [t for t in WITH_ARTICLE for _ in range(20)]
    evidence = Evidence(texts, labels)
    assert isinstance(evidence._matrix, csr_matrix)  # no embeddings: the history's word vectors
    first = WITH_ARTICLE[0]
    own, other = questions(first, 30, rnd), questions("payroll", 30, rnd)
    assert "payroll" in TOPICS and "payroll" not in WITH_ARTICLE
    x = evidence.features(own + other, [[(first, 0.9)]] * 60)
    assert np.median(x[:30, CENTRE]) > np.median(x[30:, CENTRE])
    assert np.median(x[:30, OWN]) > np.median(x[30:, OWN])
