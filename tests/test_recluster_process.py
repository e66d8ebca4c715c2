"""The weekly clustering runs in a spawned child process that reads the database itself."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.engine import make_engine
from adapters.db.repositories import SqlRepositories
from adapters.search.clustering import best_clusterer
from bot import recluster_process
from core.reclustering import propose
from tests.cause_support import TOPICS, ticket


async def test_the_child_proposes_what_this_process_would_and_runs_in_another_process(
    repos: SqlRepositories, engine: AsyncEngine
) -> None:
    for i, text in enumerate(t for ts in TOPICS.values() for t in ts):
        await repos.tickets.add(ticket(i, text))
    proposer = recluster_process.elsewhere(engine)
    assert proposer is not None
    child = await proposer()
    here = await propose(tickets=repos.tickets, causes=repos.causes, clusterer=best_clusterer())
    assert len(child.assignments) == 19 and len(child.causes) >= 2  # every ticket, in the topics' clusters
    assert [(p.action, p.ticket_ids, p.evidence) for p in child.causes] == [
        (p.action, p.ticket_ids, p.evidence) for p in here.causes
    ]
    assert child.candidates == here.candidates


def test_an_in_memory_database_keeps_the_clustering_in_this_process() -> None:
    assert recluster_process.elsewhere(make_engine("sqlite+aiosqlite:///:memory:")) is None
