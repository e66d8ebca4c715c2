"""The models this process already holds, by stored digest: one copy per process, not one per runtime.

`fixloop serve` with inline intake builds two runtimes (the serving loop's and the worker thread's,
bot/worker_thread.py), each with its own ModelKeeper. Each used to read, decode and keep its own copy of
every stored model: at a million tickets the cause index is a 140 MB blob, so the second copy cost
seconds of CPU at start and hundreds of MB for as long as the process ran. A fitted model is read-only
once swapped in (a refit or a rebuild makes new objects, adapters/model_kinds.py), so both runtimes can
serve the same objects. The key is the blob's SHA-256: the same digest is the same fitted state.
Separate processes (and the separate runtimes tests build) hold their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.learnt_model import Fitted


@dataclass(frozen=True)
class Held:
    """A model rebuilt (or fitted) here from the blob with this digest, by this maker."""

    digest: str
    maker: object  # the maker's code: two makers built from the same source build the same classes
    model: Any
    examples: int


def maker_of(make: Callable[[], Any]) -> object:
    """What identifies a maker across runtimes (their lambdas are new objects, their code is not)."""
    return getattr(make, "__code__", make)


class LoadedModels:
    """Shared by the runtimes of one process (bot/wiring.py passes the serving runtime's to its worker)."""

    def __init__(self) -> None:
        self._held: dict[str, Held] = {}  # per kind, the newest only: an older one is freed once unserved
        self._lock = threading.Lock()  # the serving loop and the worker thread load at the same time

    def find(self, kind: str, digest: str, make: Callable[[], Any], context: Any) -> Fitted | None:
        """The model already held for this digest and maker, with this runtime's context; None if none."""
        with self._lock:
            held = self._held.get(kind)
        if held is None or held.digest != digest or held.maker != maker_of(make):
            return None
        return Fitted(held.model, context, held.examples)

    def keep(self, kind: str, digest: str, make: Callable[[], Any], fitted: Fitted) -> None:
        """Remember the model served for this digest, replacing the kind's older one."""
        with self._lock:
            self._held[kind] = Held(digest, maker_of(make), fitted.model, fitted.examples)
