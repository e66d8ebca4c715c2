"""The stored TF-IDF index of the cause matcher: document ids and the word and character postings."""

from __future__ import annotations

from typing import Any

from adapters.search.codec import (
    State,
    csr_state,
    restore_csr,
    restore_vectorizer,
    vectorizer_state,
)
from adapters.search.tfidf import PostingsIndex, TfidfRetriever


def retriever_state(retriever: TfidfRetriever) -> State:
    """The cause matcher's index: document ids and the word and character postings."""
    state = State()
    state.meta = {"ids": retriever._ids,
                  "words": postings_state(retriever._words, state, "words"),
                  "chars": postings_state(retriever._chars, state, "chars")}
    return state


def restore_retriever(retriever: TfidfRetriever, state: State) -> None:
    """Fill a TF-IDF retriever from retriever_state's output."""
    retriever._ids = [str(i) for i in state.meta["ids"]]
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
