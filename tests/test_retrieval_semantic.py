"""The semantic back end (`pip install .[semantic]`); skipped cleanly when the extra is not installed."""

from __future__ import annotations

import pytest

from adapters.search.encoders import ENCODERS
from adapters.search.features import CombinedFeatures, SemanticFeatures, best_features, semantic_available

pytestmark = pytest.mark.skipif(not semantic_available(), reason="the semantic extra is not installed")


@pytest.fixture(scope="module")
def semantic() -> SemanticFeatures:
    return SemanticFeatures(encoder=ENCODERS["minilm"])


def test_the_best_features_are_semantic_when_the_extra_is_installed() -> None:
    assert best_features().name in {"minilm+tfidf", "mpnet+tfidf"}  # MPNet once `make mpnet` fetched it


def test_paraphrases_are_closer_than_unrelated_texts(semantic) -> None:
    v = semantic.transform(["my card has not arrived yet", "where is my new card", "how do I change my pin"])
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


def test_embeddings_are_cached_per_text(semantic) -> None:
    first = semantic.transform(["vpn fails"])
    assert semantic.transform(["vpn fails"]) is not first and (semantic.transform(["vpn fails"]) == first).all()
    assert "vpn fails" in semantic._cache


def test_semantic_ranker_ranks_a_paraphrase_first(semantic) -> None:
    from adapters.search.ranker import LearnedRanker
    from core.kb import Article, Library

    lib = Library(LearnedRanker(CombinedFeatures(semantic=semantic)))
    lib.load([Article(id="card", title="Card delivery", body="When will my card arrive?"),
              Article(id="pin", title="Change PIN", body="How to change the PIN code"),
              Article(id="refund", title="Refunds", body="How long a refund takes")])
    assert lib.retriever.search("the parcel you posted me still has not shown up")[0][0] == "card"
    assert lib.suggest("my new card has not arrived yet").items[0].article.id == "card"


def test_semantic_clusterer_finds_the_topics(semantic) -> None:
    from adapters.search.clustering import WardClusterer
    from adapters.search.scoring import cluster_scores

    texts = ["my card has not arrived", "card still not delivered", "where is my card",
             "change my pin", "how to reset the pin code", "new pin please",
             "refund my money", "I want a refund", "refund not received yet"]
    truth = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    clusters = WardClusterer(semantic, threshold=1.0, per_micro=10).cluster(texts)
    assert cluster_scores([str(t) for t in truth], clusters)["nmi"] > 0.6
