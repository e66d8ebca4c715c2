"""A console on a real database with the busy digest ledger, a clock the test moves, and sign-in helpers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.escalation import Escalation, Evidence
from core.tickets import Judgement
from tests.digest_support import NOW, WEEK, busy_ledger
from tests.fakes import FakeClock

TEAMS = """
timezone = "Europe/Berlin"
[teams.it-network]
name = "IT Network"
owns = ["vpn"]
[teams.billing]
name = "Billing"
owns = ["invoice"]
"""
PEOPLE = (  # key, name, role, manager, Slack id, Teams id
    ("lea", "Lea Moreau", "leader", None, "U0LEA", "0b5e3a52-entra-oid-lea"),
    ("mia", "Mia Tanaka", "manager", None, "U0MIA", None),
    ("noah", "Noah Adeyemi", "manager", None, None, None),
    ("ana", "Ana Souza", "agent", "mia", "U0ANA", None),
    ("ben", "Ben Okafor", "agent", "mia", None, None),
    ("dan", "Dan Brook", "agent", "noah", "U0DAN", None),
    ("eve", "Eve Employee", "employee", None, "U0EVE", None),
)


def _person(key: str, name: str, role: str, *ids: str | None) -> str:
    """One [people.KEY] table of fixloop.toml."""
    lines = [f"[people.{key}]", f'name = "{name}"', f'roles = ["{role}"]']
    named = zip(("manager", "slack", "teams"), ids, strict=True)
    return "\n".join(lines + [f'{field} = "{value}"' for field, value in named if value])


CONFIG = TEAMS + "\n".join(_person(*p) for p in PEOPLE) + "\n"
PAGES = ("/app/", "/app/overview", "/app/causes", "/app/causes/cause-1", "/app/teams", "/app/coaching",
         "/app/tickets", "/app/overview?csv=kpis", "/app/tickets?csv=tickets")
LEADER_ONLY = ("/app/overview", "/app/causes", "/app/causes/cause-1", "/app/teams", "/app/overview?csv=kpis")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def write_config(folder: Path) -> Path:
    """fixloop.toml for the console tests: a leader, two managers, three agents, an employee."""
    path = folder / "fixloop.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


async def load_ledger(runtime: Runtime) -> None:
    """The busy week's tickets and causes; a few tickets for ben and dan; escalations, some judged."""
    tickets, causes = busy_ledger()
    for i, t in enumerate(tickets):
        if i % 7 == 3:
            t.agents = ["ana", "ben"]
        elif i % 7 == 5:
            t.agents = ["dan"]
        if i % 5 == 0 and t.cause_key:
            t.escalated_at = t.created_at + timedelta(hours=1)
            t.escalated_to = "it-network" if i % 2 else "billing"
            if i % 3:
                t.escalation_judgement = Judgement.NEEDED if i % 4 else Judgement.NOT_NEEDED
                t.escalation_judged_at = t.escalated_at + timedelta(hours=2)
    causes[1].root_cause_at = WEEK.start + timedelta(days=2)
    causes[1].root_cause = "The VPN gateway certificate <expired> & nobody renewed it"
    await runtime.repos.tickets.save_many(tickets)
    for cause in causes:
        await runtime.repos.causes.save(cause)
    for t in tickets:
        if t.escalated_at is not None:
            judged = t.escalation_judgement
            await runtime.repos.escalations.save(Escalation(
                f"ESC-{t.id}", t.id, t.agents[-1], t.escalated_to or "", "needs the owner", t.escalated_at,
                Evidence("summary"), judgement=judged, judged_at=t.escalation_judged_at,
                judged_by="noah" if judged else None))


@dataclass
class Harness:
    runtime: Runtime
    client: TestClient
    clock: FakeClock
    config: Path

    async def link(self, person: str) -> str:
        """A one-time link's path, as the bot would send it."""
        found = await self.runtime.desk.console_link(person)
        return "/app/" + found.url.split("/app/", 1)[1]

    async def sign_in(self, person: str) -> None:
        """Open a one-time link and use it; the client keeps the session cookie."""
        path = await self.link(person)
        page = await self.client.get(path)
        assert page.status == 200, await page.text()
        used = await self.client.post(path, data={"csrf": csrf_of(await page.text())}, allow_redirects=False)
        assert used.status == 303, await used.text()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        """Status and body of a GET, redirects not followed."""
        response = await self.client.get(path, allow_redirects=False, **kwargs)
        return response.status, await response.text()


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@asynccontextmanager
async def console(
    db_url: str, folder: Path, *, ledger: bool = True, **settings: Any
) -> AsyncIterator[Harness]:
    """`fixloop serve`'s application on the test database, its clock just after the busy week."""
    clock = FakeClock(NOW)
    config = write_config(folder)
    runtime = await build_runtime(
        Settings(database_url=db_url, fixloop_config=config, **settings), clock=clock, load_indexes=False
    )
    if ledger:
        await load_ledger(runtime)
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    try:
        yield Harness(runtime, client, clock, config)
    finally:
        await client.close()
