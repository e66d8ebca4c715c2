"""Keep the interpreter's full garbage collections short once the learnt models are loaded.

A loaded runtime holds millions of long-lived objects (vocabularies, indexes, model weights). A full
(generation 2) collection walks all of them, and while it runs no thread of the process runs: under
load that paused acknowledgements for 160-180 ms (`bench/load.py`, inline intake, p99 about 210 ms).
Frozen objects are left out of every later collection; they are still freed by reference counting
when a refit replaces them, so only reference cycles among them would outlive their use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Awaitable, Callable


def settle() -> int:
    """Collect what start-up left behind, then freeze what survives; how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    release_free_memory()
    return gc.get_freeze_count()


def release_free_memory() -> bool:
    """Give the C heap's free pages back to the system (glibc only; False elsewhere).

    Loading a stored model decodes a blob of up to 140 MB (the cause index at a million tickets) into
    arrays, on a worker thread: the blob and the decoding's buffers are freed afterwards, but glibc keeps
    freed pages of its heaps for reuse, so the process's resident size stayed hundreds of MB above what
    it holds. It runs once a model was loaded or refitted, never per request.
    """
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is None:
        return False
    trim(0)
    return True


def settling(step: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
    """`step` (a relearning pass) that freezes the heap when it loaded or refitted a model."""

    async def run() -> int:
        changed = await step()
        if changed:
            # Collect first, or garbage in reference cycles at this moment would be frozen for good; the
            # collection walks only what is new since the last freeze (the new model, mostly), once.
            settle()
        return changed

    return run
