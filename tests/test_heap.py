"""The heap is frozen once models are loaded, and again after a relearning pass that changed one."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import heap


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_leaves_what_is_loaded_out_of_later_collections() -> None:
    model = [{"word": i} for i in range(10_000)]  # long-lived objects, as a vocabulary would be
    assert gc.get_freeze_count() == 0
    frozen = heap.settle()
    assert frozen >= len(model)
    assert gc.get_freeze_count() == frozen


async def test_a_relearning_pass_that_loaded_a_model_freezes_it_and_one_that_did_not_changes_nothing() -> None:
    loaded: list[object] = []

    async def unchanged() -> int:
        return 0

    async def refitted() -> int:
        loaded.append([[i] for i in range(5_000)])
        return 1

    assert await heap.settling(unchanged)() == 0
    assert gc.get_freeze_count() == 0
    assert await heap.settling(refitted)() == 1
    assert gc.get_freeze_count() >= 5_000
