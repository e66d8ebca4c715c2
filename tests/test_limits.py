"""Size limits on every input: over-limit input is refused with a message naming the limit, and nothing
of it is applied; the limits live in core/limits.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.imports import ImportFormatError, parse_kb, parse_tickets
from adapters.slack import modals
from adapters.slack.forms import Ref
from bot.imports import import_kb, import_tickets
from core import limits
from core.errors import InvalidInput
from core.limits import MAX_COMMAND, MAX_FIELD, MAX_ID, MAX_RAW_TEXT, MAX_TITLE, MAX_URL
from core.messages import Escalate, LogRequest, RecordReview
from core.tickets import Judgement
from tests import slack_fake, teams_fake
from tests.fakes import fake_desk
from tests.roles_support import desk_state

VPN = LogRequest(platform="console", requester="emp-1", text="VPN disconnects every hour", thread_key="c:1")
PARTS = dict(what_happened="a", why_it_mattered="b", what_good_looks_like="c", what_changes_next="d")


async def test_each_form_field_over_its_limit_is_refused_naming_the_limit_and_nothing_changes():
    desk = await fake_desk()
    ticket = (await desk.log_request(VPN)).ticket
    esc = await desk.escalate(Escalate(ticket.id, "ana", team="it-network"))
    before = await desk_state(desk)
    attempts = [
        (desk.escalate(Escalate(ticket.id, "ana", team="billing", reason="r" * (MAX_FIELD + 1))), "3,000"),
        (desk.record_root_cause(ticket.id, "c" * (MAX_FIELD + 1), "ana"), "3,000"),
        (desk.record_root_cause(ticket.id, "the cert", "ana", title="t" * (MAX_TITLE + 1)), "120"),
        (desk.link_fix(ticket.id, "https://x.example/" + "a" * MAX_URL, "ana"), "2,000"),
        (desk.record_review(RecordReview(ticket.id, "mia", **{**PARTS, "what_happened": "w" * 3001})), "3,000"),
        (desk.assign("FX-" + "A" * MAX_ID, "ana"), "200"),
        (desk.ship_fix("k" * (MAX_ID + 1), "ana"), "200"),
        (desk.judge(esc.id, Judgement.NEEDED, "ana"), None),  # the one that fits goes through
    ]
    for attempt, limit in attempts[:-1]:
        with pytest.raises(InvalidInput, match=f"the limit is {limit}"):
            await attempt
    assert await desk_state(desk) == before
    await attempts[-1][0]
    assert await desk_state(desk) != before


def test_check_size_names_what_and_the_limit():
    assert limits.check_size("ok", 2, "note") == "ok"
    with pytest.raises(InvalidInput, match="The note is 3 characters; the limit is 2"):
        limits.check_size("abc", 2, "note")


@pytest.fixture
async def slack(engine, db_url):
    async with slack_fake.harness(db_url) as h:
        yield h


async def test_slack_command_text_form_fields_and_button_values_over_the_limit_are_refused(slack):
    ticket = (await slack.desk.log_request(VPN)).ticket
    before = await desk_state(slack.desk)
    await slack.command("/escalate", f"{ticket.id} " + "x" * MAX_COMMAND, slack_fake.ANA)
    told = await slack.fake.wait_for("response_url")
    assert "command text" in told[0]["text"] and "the limit is 2,000" in told[0]["text"]
    view = modals.escalate(Ref(ticket.id, channel="C0TRIAGE"), slack.desk.org.teams, "billing", "", "")
    picked = {"type": "static_select", "selected_option": {"value": "billing"}}
    reason = {"type": "plain_text_input", "value": "r" * (MAX_FIELD + 1)}
    await slack.submit(view, slack_fake.ANA, {"team": picked, "reason": reason})
    told = await slack.fake.wait_for("chat.postEphemeral")
    assert "field 'reason'" in told[0]["text"] and "the limit is 3,000" in told[0]["text"]
    value = json.dumps({"ticket": ticket.id, "article": "a" * 2000})
    await slack.click({"action_id": "fixloop.solved", "value": value}, slack_fake.EMPLOYEE)
    told = await slack.fake.wait_for("response_url", 2)
    assert "button value" in told[1]["text"] and "the limit is 2,000" in told[1]["text"]
    assert await desk_state(slack.desk) == before and slack.fake.of("views.open") == []


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    async with teams_fake.harness(db_url, tmp_path) as h:
        yield h


async def test_teams_text_and_card_data_over_the_limit_are_refused_and_nothing_is_logged(teams):
    huge = "<b>" + "x" * MAX_RAW_TEXT + "</b>"
    await teams.post(teams_fake.message(huge, id="big-1"))
    told = (await teams.connector.wait_for("posted"))[-1]
    assert "the limit is 160,000" in told.body["text"]
    assert await teams.desk.tickets.count() == 0
    fields = {f"field{i}": "x" for i in range(limits.MAX_CARD_FIELDS + 1)}
    await teams.click({"fixloop": "review_submit"}, teams_fake.MIA, "card-1", **fields)
    told = (await teams.connector.wait_for("posted", 2))[-1]
    assert "the limit is 30" in told.body["text"]
    await teams.click({"fixloop": "review_submit"}, teams_fake.MIA, "card-2", what_happened="w" * 3001)
    told = (await teams.connector.wait_for("posted", 3))[-1]
    # The error is markdown-escaped for Teams, as everything quoting what a person typed is.
    assert "field 'what\\_happened'" in told.body["text"] and "the limit is 3,000" in told.body["text"]
    assert await teams.desk.reviews.list() == [] and await teams.desk.tickets.count() == 0


LEDGER = "id,created_at,surface\nT-1,2026-03-02T09:15:00Z,internal\nT-2,2026-03-02T10:15:00Z,external\n"


async def test_an_import_file_over_the_size_or_row_limit_is_refused_whole_and_nothing_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    desk = await fake_desk()
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER)
    monkeypatch.setattr(limits, "MAX_IMPORT_BYTES", 50)
    with pytest.raises(ImportFormatError, match="the limit is 50 bytes"):
        await import_tickets(desk, path, "csv")
    monkeypatch.setattr(limits, "MAX_IMPORT_BYTES", 10_000)
    monkeypatch.setattr(limits, "MAX_IMPORT_ROWS", 1)
    with pytest.raises(ImportFormatError, match="more than 1 rows, the limit for one file"):
        await import_tickets(desk, path, "csv")
    assert await desk.tickets.count() == 0
    monkeypatch.setattr(limits, "MAX_IMPORT_ROWS", 2)
    assert (await import_tickets(desk, path, "csv")).imported == 2


def test_a_cell_over_the_csv_cell_limit_refuses_the_file_by_name(tmp_path: Path):
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER + "T-3,2026-03-02T10:15:00Z,internal," + "x" * 140_000 + "\n")
    with pytest.raises(ImportFormatError, match="line 4 has a cell longer than 131,072 characters"):
        parse_tickets(path, "csv")


async def test_a_knowledge_base_over_its_limits_is_refused_and_an_oversize_article_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    desk = await fake_desk(articles=[])
    for name, body in (("a", "# A\nshort"), ("b", "# B\n" + "long " * 100)):
        (tmp_path / f"{name}.md").write_text(body)
    monkeypatch.setattr(limits, "MAX_KB_FILES", 1)
    with pytest.raises(ImportFormatError, match="holds 2 Markdown files; the limit is 1"):
        await import_kb(desk, tmp_path)
    assert await desk.articles.list() == []
    monkeypatch.setattr(limits, "MAX_KB_FILES", 10)
    monkeypatch.setattr(limits, "MAX_ARTICLE_BYTES", 100)
    batch = parse_kb(tmp_path)
    assert [a.id for a in batch.articles] == ["a"]
    assert "the limit for one article is 100 bytes" in str(batch.errors[0]) and "b.md" in str(batch.errors[0])
    csv_kb = tmp_path / "kb.csv"
    csv_kb.write_text("id,title,body\nk1,T," + "b" * 101 + "\nk2,T,fine\n")
    batch = parse_kb(csv_kb)
    assert [a.id for a in batch.articles] == ["k2"] and "the limit is 100" in str(batch.errors[0])
