"""What a learnt model is to the ModelKeeper: how it is fitted, loaded, swapped in and stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the codec imports scikit-learn: not for runtimes that load no model
    from adapters.search.codec import State


@dataclass(frozen=True)
class Fitted:
    """A model built off the loop, waiting to be swapped in, and how many examples it learnt from."""

    model: Any
    context: Any
    examples: int


class Model(Protocol):
    """One stored model (adapters/model_kinds.py)."""

    name: str

    async def context(self) -> Any:
        """What a fit or a load needs beside the examples (the articles, the causes)."""
        ...

    async def data(self) -> Any:
        """The examples a fit learns from, read bounded from the database."""
        ...

    def fit(self, data: Any, context: Any) -> Fitted:
        """A new model fitted from examples (runs on a worker thread)."""
        ...

    def load(self, state: State, context: Any) -> Fitted:
        """A new model rebuilt from a stored state (runs on a worker thread)."""
        ...

    def swap(self, fitted: Fitted) -> None:
        """Serve a fitted or loaded model from now on."""
        ...

    def state(self) -> State:
        """The served model's state, to store."""
        ...

    def meta(self, context: Any) -> dict[str, Any]:
        """What to remember beside the blob, to tell later whether it still covers the data."""
        ...

    def covers(self, meta: dict[str, Any], context: Any) -> bool:
        """Whether a model stored with this meta still fits this context (e.g. the same articles)."""
        ...

    async def grown(self, meta: dict[str, Any], enough: int) -> bool:
        """Whether the history grew by `enough` since the model stored with this meta was fitted."""
        ...
