"""Which offline retrieval back end is installed, known without importing it (scikit-learn, torch)."""

from __future__ import annotations

from adapters.search.encoders import chosen


def semantic_available() -> bool:
    """True when the chosen encoder (FIXLOOP_ENCODER, adapters/search/encoders.py) is installed."""
    return chosen().installed()


def retrieval_name() -> str:
    """The name the suggestion ranker's features will have (adapters/search/features.py)."""
    return f"{chosen().name}+tfidf" if semantic_available() else "tfidf"
