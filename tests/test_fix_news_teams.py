"""In Teams: the requester hears that the fix shipped and answers on the card; the causes card offers File fix issue."""

from __future__ import annotations

import pytest

from core.tickets import Resolution, Status
from tests.teams_fake import ANA, EMP, LEA, LEADERS, card_of, harness, submits
from tests.teams_loop_support import open_ticket, say

HOSTILE = "**Exports** [click](https://evil.example) _now_"


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector; rows are deleted after the test."""
    async with harness(db_url, tmp_path) as h:
        yield h


async def test_the_requester_is_told_on_a_card_and_that_solved_it_resolves_as_fixed(teams):
    ticket, _ = await open_ticket(teams)
    cause = await teams.desk.record_root_cause(ticket.id, "expired certificate", ANA, title=HOSTILE)
    await teams.desk.ship_fix(cause.key, ANA)
    posted = await teams.connector.wait_for("posted", where=lambda c: "fix_solved" in str(c.body))
    card = card_of(posted[0].body)
    title = card["body"][1]["text"]
    assert "[click](" not in title and title.startswith("\\*\\*Exports\\*\\*")  # the title is inert
    buttons = submits(card)
    assert set(buttons) == {"fix_solved", "fix_still"}
    await teams.click(buttons["fix_solved"], EMP, card_id="news-1")
    done = await teams.connector.wait_for("update", where=lambda c: c.activity_id == "news-1")
    assert "resolved as fixed" in str(card_of(done[0].body))
    saved = await teams.desk.tickets.get(ticket.id)
    assert saved.status == Status.RESOLVED and saved.resolution == Resolution.FIX


async def test_the_causes_card_offers_file_fix_issue_for_causes_without_a_fix(teams):
    ticket, _ = await open_ticket(teams)
    await teams.desk.record_root_cause(ticket.id, "The gateway certificate expired", ANA, title="VPN cert")
    card = card_of((await say(teams, "causes", LEA, LEADERS, "c1")).body)
    assert submits(card)["file_fix"]["ticket"] == "vpn-cert"
