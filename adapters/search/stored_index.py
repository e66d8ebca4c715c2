"""The stored TF-IDF index of the cause matcher: document ids and the word and character postings."""

from __future__ import annotations

from typing import Any

import numpy as np

from adapters.search.codec import (
    State,
    csr_state,
    get_strings,
    put_strings,
    restore_csr,
    restore_vectorizer,
    vectorizer_state,
)
from adapters.search.tfidf import PostingsIndex, TfidfRetriever


def retriever_state(retriever: TfidfRetriever) -> State:
    """The cause matcher's index: document ids and the word and character postings."""
    state = State()
    state.meta = {"ids": ids_state(retriever._ids, state, "ids"),
                  "words": postings_state(retriever._words, state, "words"),
                  "chars": postings_state(retriever._chars, state, "chars")}
    return state


def restore_retriever(retriever: TfidfRetriever, state: State) -> None:
    """Fill a TF-IDF retriever from retriever_state's output."""
    retriever._ids = restore_ids(state.meta["ids"], state)
    retriever._words = restore_postings(state.meta["words"], state)
    retriever._chars = restore_postings(state.meta["chars"], state)


def postings_state(index: PostingsIndex | None, state: State, name: str) -> dict[str, Any] | None:
    """A postings index: its vectorizer and its term -> documents matrix."""
    if index is None:
        return None
    return {"vectorizer": vectorizer_state(index.vectorizer, state, f"{name}.vectorizer"),
            "by_term": csr_state(index._by_term, state, f"{name}.by_term"), "size": index.size}


def restore_postings(meta: dict[str, Any] | None, state: State) -> PostingsIndex | None:
    """The postings index postings_state described."""
    if meta is None:
        return None
    vectorizer = restore_vectorizer(meta["vectorizer"], state)
    assert vectorizer is not None
    return PostingsIndex.restored(vectorizer, restore_csr(meta["by_term"], state), int(meta["size"]))


def ids_state(ids: list[str], state: State, name: str) -> dict[str, str]:
    """Document ids as their distinct values and one int32 code per document.

    The cause index holds up to 40 documents per cause: at a million tickets 430,644 ids of 11,270 causes.
    As a JSON list they were 12 MB of the blob and, once loaded, 430,644 string objects (about 30 MB).
    """
    distinct = list(dict.fromkeys(ids))
    codes = {value: i for i, value in enumerate(distinct)}
    return {"distinct": put_strings(state, f"{name}.distinct", distinct),
            "codes": state.put(f"{name}.codes", np.fromiter(map(codes.__getitem__, ids), np.int32, len(ids)))}


def restore_ids(meta: list[str] | dict[str, str], state: State) -> list[str]:
    """The ids ids_state stored (or the plain list of a blob stored before it): one object per value."""
    if isinstance(meta, list):
        return [str(i) for i in meta]
    distinct = get_strings(state, meta["distinct"])
    return [distinct[i] for i in state.get(meta["codes"]).tolist()]
