"""Deferred: a model built at its first use, for processes that load no stored model.

The learnt models' classes import scikit-learn and SciPy (about 75 MB and 1 s of CPU). A runtime built
without its models (`load_indexes=False`: the read paths, `fixloop causes --recluster`, the gaps and
console commands) mostly never touches them; when it does (an unfitted ranker asked to search), the
model is built then, at the cost of that import, once.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any


class Deferred:
    """Stands for the object `make` returns; builds it on the first attribute read."""

    def __init__(self, make: Callable[[], Any]) -> None:
        object.__setattr__(self, "_deferred_make", make)
        object.__setattr__(self, "_deferred_object", None)
        object.__setattr__(self, "_deferred_lock", threading.Lock())

    def built(self) -> Any:
        """The object, built now if it was not yet."""
        with self._deferred_lock:
            if self._deferred_object is None:
                object.__setattr__(self, "_deferred_object", self._deferred_make())
            return self._deferred_object

    def __getattr__(self, name: str) -> Any:  # only for names the proxy itself does not have
        if name.startswith("_deferred"):  # not set up (a copy made without __init__): never recurse
            raise AttributeError(name)
        return getattr(self.built(), name)

    def __copy__(self) -> Any:
        """A copy of the object itself (CauseMatcher fits a copy of its index, then swaps it in)."""
        return copy.copy(self.built())

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.built(), name, value)
