"""Each learnt model written to bytes and read back predicts exactly what it predicted before."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

from adapters.search.abstention import CalibratedRanker
from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import State, halved, pack, unpack
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.stored import ranker_state, restore_ranker
from adapters.search.stored_index import restore_retriever, retriever_state
from adapters.search.stored_router import restore_router, router_state
from adapters.search.tfidf import TfidfRetriever
from core.kb import NO_ARTICLE
from core.team_routing import TeamRouter

WORDS = ["vpn", "printer", "password", "laptop", "wifi", "outlook", "badge", "parking", "toner", "reset", "locked", "tunnel"]
rnd = random.Random(1)
DOCS = [(f"a{i}", " ".join(rnd.sample(WORDS, 4))) for i in range(8)]
HISTORY = [(" ".join(rnd.sample(WORDS, 3)), f"a{rnd.randrange(8)}" if rnd.random() < 0.8 else NO_ARTICLE)
           for _ in range(300)]
QUERIES = [" ".join(rnd.sample(WORDS, 3)) for _ in range(60)] + ["something unrelated entirely", ""]


def calibrated() -> CalibratedRanker:
    return CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))


def test_the_calibrated_ranker_round_trips() -> None:
    ranker = calibrated()
    ranker.fit(DOCS, HISTORY)
    assert ranker.calibration is not None  # history enough: the abstention was learnt too
    assert ranker.adapt(QUERIES) is not None  # and what the asked questions said
    state = ranker_state(ranker)
    svm = [a for name, a in state.arrays.items() if name.endswith("svc.coef")]
    assert svm and all(a.dtype == np.float16 for a in svm)  # a quarter of float64's bytes, fitted so
    copy = calibrated()
    restore_ranker(copy, unpack(pack(state)))
    assert [copy.search(q) for q in QUERIES] == [ranker.search(q) for q in QUERIES]
    assert copy.abstain_below == ranker.abstain_below and copy._sizes == ranker._sizes
    assert copy.calibration is not None and copy.calibration.traffic == ranker.calibration.traffic
    assert copy.calibration.reading == ranker.calibration.reading


class Embedded(LexicalFeatures):
    """Lexical features that also give float32 unit vectors, as MiniLM's embeddings are."""

    def dense(self, texts: list[str]) -> np.ndarray:
        rows = self.transform(texts).toarray()
        return (rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def test_with_embeddings_the_history_vectors_are_stored_and_restored_once() -> None:
    # The neighbour memory and the abstention's evidence embed the same texts: 23 MB each on CLINC150.
    ranker = CalibratedRanker(lambda: LearnedRanker(Embedded()))
    ranker.fit(DOCS, HISTORY)
    memory, evidence = ranker.inner._model.memory, ranker.evidence
    assert memory is not None and evidence is not None and np.array_equal(memory.vectors, evidence._matrix)
    state = ranker_state(ranker)
    stored = [a for a in state.arrays.values() if a.shape == memory.vectors.shape]
    assert len(stored) == 1 and state.meta["evidence"]["matrix"]["dense"] == "model.memory.vectors"
    copy = CalibratedRanker(lambda: LearnedRanker(Embedded()))
    restore_ranker(copy, unpack(pack(state)))
    assert [copy.search(q) for q in QUERIES] == [ranker.search(q) for q in QUERIES]
    assert copy.evidence is not None and copy.evidence._matrix is copy.inner._model.memory.vectors


def test_an_array_is_stored_once_however_often_it_is_put() -> None:
    state, values = State(), np.arange(12, dtype=np.float32)
    assert state.put("a", values) == "a" and state.put("b", values.copy()) == "a"
    # The same bytes in another shape or type, or other values, are other arrays.
    assert state.put("c", values.reshape(3, 4)) == "c" and state.put("d", values.view(np.int32)) == "d"
    assert state.put("e", values + 1) == "e" and sorted(state.arrays) == ["a", "c", "d", "e"]


def test_floats_rounded_to_half_precision_are_stored_in_half_the_bytes_and_read_back_as_float32() -> None:
    state, rounded = State(), halved(np.linspace(-3, 3, 50, dtype=np.float32))
    assert state.put("w", rounded) == "w" and state.arrays["w"].dtype == np.float16
    back = state.get("w")
    assert back.dtype == np.float32 and np.array_equal(back, rounded) and state.get("w") is back
    # Values half precision would change, or cannot hold, are kept as they are.
    fine, large = np.linspace(-3, 3, 50, dtype=np.float32) + 1e-4, np.array([1.0, 7e4], dtype=np.float32)
    assert not np.array_equal(halved(fine), fine) and np.array_equal(halved(large), large)
    state.put("fine", fine), state.put("large", large)
    assert state.arrays["fine"].dtype == state.arrays["large"].dtype == np.float32
    assert np.array_equal(unpack(pack(state)).get("fine"), fine)
    assert unpack(pack(state)).get("w").tolist() == rounded.tolist()


def test_the_cold_ranker_round_trips() -> None:
    ranker = calibrated()
    ranker.fit(DOCS)  # no history: cosine to the articles
    copy = calibrated()
    restore_ranker(copy, unpack(pack(ranker_state(ranker))))
    assert [copy.search(q) for q in QUERIES] == [ranker.search(q) for q in QUERIES]
    assert copy.calibration is None and copy.abstain_below == ranker.abstain_below


def test_the_team_router_round_trips() -> None:
    router = TeamRouter(LinearTextClassifier(LexicalFeatures()))
    router.learn_pairs([(text, aid or "tier1") for text, aid in HISTORY])
    copy = TeamRouter(LinearTextClassifier(LexicalFeatures()))
    restore_router(copy, unpack(pack(router_state(router))))
    assert copy.examples == 300
    assert [copy.predict(q) for q in QUERIES] == [router.predict(q) for q in QUERIES]


def test_the_cause_index_round_trips() -> None:
    index = TfidfRetriever(chars=False)
    index.fit(DOCS + [(aid or "none", text) for text, aid in HISTORY])
    copy = TfidfRetriever(chars=False)
    restore_retriever(copy, unpack(pack(retriever_state(index))))
    assert copy._ids == index._ids
    assert [copy.search(q) for q in QUERIES] == [index.search(q) for q in QUERIES]


def test_a_cause_index_stored_with_its_ids_as_a_list_still_loads() -> None:
    """Blobs stored before the ids were coded (a list in the header) are read as they were written."""
    index = TfidfRetriever(chars=False)
    index.fit(DOCS + [(aid or "none", text) for text, aid in HISTORY])
    state = retriever_state(index)
    state.meta["ids"] = list(index._ids)
    copy = TfidfRetriever(chars=False)
    restore_retriever(copy, unpack(pack(state)))
    assert copy._ids == index._ids
    assert [copy.search(q) for q in QUERIES] == [index.search(q) for q in QUERIES]


def test_a_blob_holding_pickled_objects_is_refused() -> None:
    buffer = io.BytesIO()
    np.savez(buffer, __meta__=np.frombuffer(b"{}", dtype=np.uint8), evil=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        unpack(buffer.getvalue())
