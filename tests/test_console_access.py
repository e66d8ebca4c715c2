"""Who sees what in the console, from the roles of fixloop.toml (core, no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.console import Access, Page, console_link, viewer_for
from core.errors import NotAllowed
from core.org import Org, Person, PersonRole
from tests.fakes import FakeClock

ORG = Org(people=(
    Person("lea", "Lea", frozenset({PersonRole.LEADER, PersonRole.AGENT}), ids={"slack": "U0LEA"}),
    Person("mia", "Mia", frozenset({PersonRole.MANAGER})),
    Person("ana", "Ana", frozenset({PersonRole.AGENT}), manager="mia"),
    Person("dan", "Dan", frozenset({PersonRole.AGENT}), manager="noah"),
    Person("eve", "Eve", frozenset({PersonRole.EMPLOYEE})),
))


class RecordingLinks:
    def __init__(self) -> None:
        self.issued: list[tuple[str, object, object]] = []

    async def issue(self, person, now, expires_at):  # type: ignore[no-untyped-def]
        self.issued.append((person, now, expires_at))
        return f"https://fixloop.example.test/app/signin/link/{len(self.issued)}"


def test_the_widest_role_decides_what_a_person_sees():
    lea, mia, ana = viewer_for(ORG, "U0LEA", "slack"), viewer_for(ORG, "mia"), viewer_for(ORG, "ana")
    assert lea is not None and lea.access == Access.LEADER and lea.agents is None and lea.home == Page.OVERVIEW
    assert mia is not None and mia.access == Access.MANAGER and mia.agents == {"ana"}
    assert ana is not None and ana.access == Access.AGENT and ana.agents == {"ana"}
    assert viewer_for(ORG, "eve") is None and viewer_for(ORG, "nobody") is None


def test_a_platform_vouches_only_for_its_own_user_ids():
    assert viewer_for(ORG, "U0LEA", "teams") is None  # a Teams sender whose id is lea's Slack id is not lea
    assert viewer_for(ORG, "U0LEA") is None  # a session names people by key only
    assert viewer_for(ORG, "lea", "slack") is None


def test_managers_and_agents_open_coaching_and_tickets_only_and_see_only_their_agents():
    mia, ana = viewer_for(ORG, "mia"), viewer_for(ORG, "ana")
    assert mia is not None and ana is not None
    for viewer in (mia, ana):
        assert [p for p in Page if viewer.may_open(p)] == [Page.COACHING, Page.TICKETS]
    assert mia.sees_agent("ana") and not mia.sees_agent("dan") and not mia.sees_agent(None)
    assert ana.sees_agent("ana") and not ana.sees_agent("dan")


async def test_a_link_lasts_ten_minutes_and_only_people_with_a_console_role_get_one():
    links, clock = RecordingLinks(), FakeClock()
    link = await console_link("U0LEA", links=links, org=ORG, clock=clock)
    assert link.person == "lea" and link.expires_at == clock.now() + timedelta(minutes=10)
    assert links.issued == [("lea", clock.now(), link.expires_at)] and link.url in link.to_text()
    with pytest.raises(NotAllowed):
        await console_link("eve", links=links, org=ORG, clock=clock)
    with pytest.raises(NotAllowed):
        await console_link("lea", links=links, org=ORG, clock=clock, platform="teams")
    assert len(links.issued) == 1
