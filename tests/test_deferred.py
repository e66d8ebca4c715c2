"""Deferred: a model built at its first use, once, standing for it in every way the desk uses it."""

from __future__ import annotations

import copy

from adapters.deferred import Deferred


class Index:
    def __init__(self) -> None:
        self.docs: list[str] = []

    def fit(self, docs: list[str]) -> None:
        self.docs = list(docs)


def test_it_builds_the_object_at_the_first_use_once_and_forwards_reads_and_writes() -> None:
    built: list[Index] = []
    deferred = Deferred(lambda: built.append(Index()) or built[-1])
    assert built == []
    deferred.fit(["a"])
    deferred.threshold = 0.5
    assert len(built) == 1 and built[0].docs == ["a"] and built[0].threshold == 0.5  # type: ignore[attr-defined]
    assert deferred.docs == ["a"]


def test_a_copy_is_a_copy_of_the_object_itself() -> None:
    deferred = Deferred(Index)
    twin = copy.copy(deferred)
    assert type(twin) is Index
    twin.fit(["b"])
    assert deferred.docs == []
