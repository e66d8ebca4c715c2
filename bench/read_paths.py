"""Every leader's and agent's read path, one process each, timed with its peak memory (bench/scale.py).

Run alone: .venv/bin/python bench/read_paths.py PATH  (DATABASE_URL and FIXLOOP_CONFIG from the environment)
It builds the runtime as `fixloop kpis` does (no models fitted), picks what the path needs (a ticket with a
cause, the sample's last full week), then times the one call and prints `seconds rss_before_mb`. The parent
reads the process's peak RSS, so a path that loaded every ticket would show in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from adapters.db.tickets import TICKETS  # noqa: E402
from adapters.slack import blocks  # noqa: E402
from adapters.slack.home import home_view  # noqa: E402
from adapters.teams import forms  # noqa: E402
from bot import chat_commands, heap  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import Runtime, build_runtime  # noqa: E402
from core.evidence import build_evidence  # noqa: E402
from core.periods import Period  # noqa: E402

NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)  # the day after the sample's last full week
WEEK = Period(datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
AGENT, LEADER = "ben", "lea"  # people of fixloop.example.toml


class FixedClock:
    """The bench's now: the sample's weeks are the newest, so reads cover real activity."""

    def now(self) -> datetime:
        return NOW

Path_ = Callable[[Runtime, str], Awaitable[Any]]


async def _chat(rt: Runtime, role: str, user: str, command: str, args: list[str]) -> None:
    session = chat_commands.Session(desk=rt.desk, user=user, role=role)
    with contextlib.redirect_stdout(io.StringIO()):
        await chat_commands.COMMANDS[command](session, args)


async def _home(rt: Runtime, _ticket: str) -> Any:
    """What App Home's publish reads for a person who is agent and leader."""
    desk = rt.desk
    return home_view(await desk.my_tickets(AGENT), await desk.queue(), await desk.ranked_causes(limit=5))


async def _evidence(rt: Runtime, ticket_id: str) -> Any:
    ticket = await rt.desk.tickets.get(ticket_id)
    assert ticket is not None
    desk = rt.desk
    articles = desk.library.articles
    return await build_evidence(ticket, tickets=desk.tickets, causes=desk.causes, articles=articles)


PATHS: dict[str, Path_] = {
    "slack /causes": lambda rt, _t: _render(blocks.causes, rt.desk.ranked_causes(limit=10)),
    "teams causes": lambda rt, _t: _render(forms.causes, rt.desk.ranked_causes(limit=10)),
    "slack App Home": _home,
    "chat leader /kpis": lambda rt, _t: _chat(rt, "leader", LEADER, "kpis", []),
    "chat leader /causes": lambda rt, _t: _chat(rt, "leader", LEADER, "causes", []),
    "chat leader /digest": lambda rt, _t: _chat(rt, "leader", LEADER, "digest", []),
    "chat agent /queue": lambda rt, _t: _chat(rt, "agent", AGENT, "queue", []),
    "chat agent /ticket": lambda rt, _t: _chat(rt, "agent", AGENT, "ticket", []),
    "queue": lambda rt, _t: rt.desk.queue(),
    "triage context": lambda rt, t: rt.desk.triage_context(t),
    "evidence bundle": _evidence,
    "owner suggestion": lambda rt, t: rt.desk.suggest_owner(t),
}


async def _render(render: Callable[[Any], Any], ranked: Awaitable[Any]) -> Any:
    return render(await ranked)


async def _one(name: str) -> tuple[float, float]:
    runtime = await build_runtime(Settings(), load_indexes=False)
    heap.settle()  # as `fixloop serve`, `fixloop worker` and `fixloop chat` do once their runtime is built
    try:
        runtime.desk.clock = FixedClock()
        stmt = select(TICKETS.c.id).where(TICKETS.c.cause_key.is_not(None), TICKETS.c.created_at < WEEK.end)
        async with runtime.repos.sessions() as session:
            ticket = (await session.execute(stmt.order_by(TICKETS.c.created_at.desc()).limit(1))).scalar_one()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        await PATHS[name](runtime, ticket)
        return time.perf_counter() - started, before
    finally:
        await runtime.close()


if __name__ == "__main__":
    try:
        seconds, before = asyncio.run(_one(sys.argv[1]))
    except Exception as exc:  # the bench goes on with the other paths and prints what went wrong
        print(f"FAILED {type(exc).__name__}: {str(exc)[:300]}")
        raise SystemExit(1) from exc
    print(f"{seconds:.4f} {before:.1f}")
