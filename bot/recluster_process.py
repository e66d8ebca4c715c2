"""The weekly re-clustering's clustering in a child process, so the server keeps answering meanwhile.

The clustering (scikit-learn and NumPy over up to a million texts) holds the interpreter lock for seconds
at a time: run on a worker thread of `serve`, it froze every request of the process for up to 12.9 s at
100k tickets. A spawned child (a fresh interpreter, no threads or locks inherited) reads the texts from
the database itself, a page at a time, clusters them and sends back only the proposal; the server then
applies it in short batched transactions (core/reclustering.py), as before.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from core.cause_engine import Reclustering

Propose = Callable[[], Awaitable[Reclustering]]


def elsewhere(engine: AsyncEngine) -> Propose | None:
    """A proposer that clusters in a child process on the engine's database; None for an in-memory one."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None  # another process would see an empty database
    rendered = url.render_as_string(hide_password=False)
    return lambda: propose_in_child(rendered)


async def propose_in_child(database_url: str) -> Reclustering:
    """Read every ticket's text and propose causes, in a spawned process; its result comes back here."""
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await loop.run_in_executor(pool, _propose, database_url)
    except asyncio.CancelledError:
        # The server is stopping: end the child now. Left running, the interpreter's exit waits for it
        # (minutes at scale) and `serve` ignores its stop (seen when a start ran the week's catch-up).
        for child in list(pool._processes.values()):
            child.terminate()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _propose(database_url: str) -> Reclustering:
    """The child's work (a top-level function: spawn pickles it by name)."""
    return asyncio.run(_read_and_propose(database_url))


async def _read_and_propose(database_url: str) -> Reclustering:
    from adapters.db.engine import make_engine
    from adapters.db.repositories import SqlRepositories
    from adapters.search.clustering import best_clusterer
    from core.reclustering import propose

    engine = make_engine(make_url(database_url))
    try:
        repos = SqlRepositories.build(engine)
        return await propose(tickets=repos.tickets, causes=repos.causes, clusterer=best_clusterer())
    finally:
        await engine.dispose()
