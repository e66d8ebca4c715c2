"""A Desk over the SQL repositories, built by the composition root, for unit-of-work tests and scripts."""

from __future__ import annotations

from adapters.db.outbox import SqlOutbox
from adapters.db.repositories import SqlRepositories
from adapters.outbox.notifier import OutboxNotifier
from adapters.search.tfidf import TfidfRetriever
from bot.wiring import Models, build_desk
from core.cause_matching import CauseMatcher
from core.kb import Library
from tests.fakes import FakeClock, FakeNotifier, sample_org


def sql_desk(repos: SqlRepositories, outbox: SqlOutbox | None = None):  # type: ignore[no-untyped-def]
    """A Desk over the SQL repositories, built by the composition root, posting to 'slack' via the outbox."""
    notifier = FakeNotifier()
    queued = OutboxNotifier(outbox or repos.outbox, ["slack"], wake=lambda: None)
    return build_desk(
        repos,
        sample_org(),
        uow=lambda: repos.unit_of_work(outbox=queued, notifier=notifier),
        notifier=notifier,
        clock=FakeClock(),
        reports=repos.reports,
        models=Models(Library(TfidfRetriever()), CauseMatcher(TfidfRetriever())),
    )
