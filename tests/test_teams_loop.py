"""The rest of the loop in Teams, as the Slack tests run it: triage, escalation with evidence, the owner's
buttons, resolve and CSAT, commands and roles; every click is an HTTP activity with a signed token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.causes import FixStatus
from core.tickets import Judgement, Status
from tests.teams_fake import (
    ANA,
    DM,
    EMP,
    LEA,
    LEADERS,
    MIA,
    TRIAGE,
    card_of,
    harness,
    submits,
)
from tests.teams_loop_support import VPN, channel_click, escalate, open_ticket, say


@pytest.fixture
async def teams(engine, db_url, tmp_path):
    """Fixloop serving /api/messages against a fake Bot Connector; rows are deleted after the test."""
    async with harness(db_url, tmp_path) as h:
        yield h


def card_facts(node: Any) -> list[dict[str, str]]:
    """Every fact of every FactSet in a card."""
    if isinstance(node, dict):
        own = node.get("facts", []) if node.get("type") == "FactSet" else []
        return own + [f for value in node.values() for f in card_facts(value)]
    return [f for value in node for f in card_facts(value)] if isinstance(node, list) else []


ESCALATION_BUTTONS = {"judge_needed", "judge_not_needed", "root_cause", "link_fix", "fix_shipped", "file_fix"}


async def updates(teams, count: int):  # type: ignore[no-untyped-def]
    return await teams.connector.wait_for("update", count)


async def test_i_still_need_help_puts_the_ticket_in_the_triage_channel_with_its_context(teams):
    ticket, reply = await open_ticket(teams)
    await teams.click(submits(card_of(reply.body))["need_help"], EMP, card_id="c1")
    triage = (await teams.connector.wait_for("posted", where=lambda c: c.conversation == TRIAGE))[0]
    card = card_of(triage.body)
    assert ticket.id in str(card) and "VPN disconnects or fails to connect" in str(card)  # already suggested
    assert {"assign", "escalate", "resolve", "priority"} == set(submits(card))
    assert "Nearest article" not in str(card)  # the bot offered articles: nothing to say about staying quiet
    await channel_click(teams, submits(card)["assign"], ANA, "triage-1", TRIAGE)
    assigned = card_of((await updates(teams, 2))[-1].body)
    assert "assigned to Ana Souza" in str(assigned) and set(submits(assigned)) == {"escalate", "resolve", "priority"}


async def test_where_no_article_fits_the_triage_card_names_the_nearest_and_the_confidence_needed(teams):
    ticket, _ = await open_ticket(teams, "The espresso machine on floor 3 hums loudly")
    triage = (await teams.connector.wait_for("posted", where=lambda c: c.conversation == TRIAGE))[0]
    facts = {f["title"]: f["value"] for f in card_facts(card_of(triage.body))}
    assert ticket.id in str(card_of(triage.body)) and facts["Already suggested"] == "none"
    near = re.fullmatch(r"Refund a double charge on your invoice \(confidence ([0-9.]+)\), Printer shows offline "
                        r"\(([0-9.]+)\), VPN disconnects or fails to connect \(([0-9.]+)\); the bot offers from "
                        r"([0-9.]+)", facts["Nearest articles, not offered"])
    assert near and float(near[3]) < float(near[2]) < float(near[1]) < float(near[4])


async def test_escalate_opens_a_prefilled_form_and_posts_the_evidence_to_the_owners_channel(teams):
    ticket, _ = await open_ticket(teams)
    post = await escalate(teams, ticket)
    card = card_of(post.body)
    text = str(card)
    assert ticket.id in text and "the certificate looks expired" in text and VPN in text
    assert "VPN disconnects or fails to connect" in text  # the article already tried
    assert set(submits(card)) == ESCALATION_BUTTONS
    told = await teams.connector.wait_for(
        "posted", where=lambda c: c.conversation == DM and "IT Network" in c.body["text"]
    )
    assert "within one working day" in told[0].body["text"]
    form = card_of((await updates(teams, 1))[0].body)
    assert "Escalated to it-network" in str(form) and submits(form) == {}
    saved = await teams.desk.tickets.get(ticket.id)
    assert saved.status == Status.ESCALATED and saved.escalated_to == "it-network"


async def test_the_owning_team_judges_records_the_cause_links_and_ships_the_fix(teams):
    ticket, _ = await open_ticket(teams)
    buttons = submits(card_of((await escalate(teams, ticket)).body))
    await channel_click(teams, buttons["judge_needed"], ANA, "esc-1")
    judged = card_of((await updates(teams, 2))[-1].body)
    assert "judged this escalation needed" in str(judged)
    assert set(submits(judged)) == ESCALATION_BUTTONS - {"judge_needed", "judge_not_needed"}
    assert (await teams.desk.tickets.get(ticket.id)).escalation_judgement == Judgement.NEEDED
    await channel_click(
        teams,
        buttons["root_cause"],
        ANA,
        "esc-1",
        root_cause="The VPN gateway certificate expired",
        title="VPN certificate expiry",
    )
    assert "VPN certificate expiry" in str(card_of((await updates(teams, 3))[-1].body))
    await channel_click(teams, buttons["link_fix"], ANA, "esc-1", fix_url="next week")
    refused = await teams.connector.wait_for(
        "posted", where=lambda c: "is not a link" in c.body.get("text", "")
    )
    assert refused and len(await updates(teams, 3)) == 3  # the card stays as it was
    await channel_click(
        teams, buttons["link_fix"], ANA, "esc-1", fix_url="https://jira.example.com/browse/NET-42"
    )
    await updates(teams, 4)
    await channel_click(teams, buttons["fix_shipped"], ANA, "esc-1")
    shipped = card_of((await updates(teams, 5))[-1].body)
    assert "shipped the fix" in str(shipped) and "fix_shipped" not in submits(shipped)
    cause = (await teams.desk.causes.list())[0]
    assert cause.title == "VPN certificate expiry" and cause.root_cause_at is not None
    assert cause.fix_url == "https://jira.example.com/browse/NET-42" and cause.fix_status == FixStatus.SHIPPED


async def test_resolve_sends_a_csat_card_and_a_low_score_reopens_the_ticket(teams):
    ticket, _ = await open_ticket(teams)
    detail = card_of((await say(teams, f"ticket {ticket.id}", ANA)).body)
    await channel_click(teams, submits(detail)["resolve"], ANA, "detail-1", TRIAGE)
    survey = (
        await teams.connector.wait_for(
            "posted", where=lambda c: c.conversation == DM and "How did we do" in c.body["text"]
        )
    )[0]
    scores = submits(card_of(survey.body))
    assert {"csat", "csat_not_solved"} == set(scores) and (
        await teams.desk.tickets.get(ticket.id)
    ).status == Status.RESOLVED
    await teams.click({**scores["csat"], "score": 2}, EMP, card_id="survey-1")
    thanks = card_of(
        (await teams.connector.wait_for("update", where=lambda c: c.activity_id == "survey-1"))[0].body
    )
    assert "2/5" in str(thanks) and "reopened" in str(thanks)
    saved = await teams.desk.tickets.get(ticket.id)
    assert saved.csat == 2 and saved.status == Status.NEEDS_HUMAN and saved.reopened_at
    await teams.connector.wait_for(
        "posted", where=lambda c: c.conversation == TRIAGE and ticket.id in str(c.body)
    )


async def test_not_solved_in_the_survey_reopens_and_a_good_score_does_not(teams):
    first, _ = await open_ticket(teams)
    await teams.desk.resolve(first.id, ANA)
    await teams.click({"fixloop": "csat", "ticket": first.id, "score": 5}, EMP, card_id="s1")
    second, _ = await open_ticket(teams, "Printer shows offline on floor 3", id="m2")
    await teams.desk.resolve(second.id, ANA)
    await teams.click({"fixloop": "csat_not_solved", "ticket": second.id}, EMP, card_id="s2")
    await updates(teams, 2)
    assert (await teams.desk.tickets.get(first.id)).status == Status.RESOLVED
    assert (await teams.desk.tickets.get(second.id)).status == Status.NEEDS_HUMAN


async def test_causes_are_for_leaders_reviews_for_managers_and_help_for_everyone(teams):
    ticket, _ = await open_ticket(teams)
    await teams.desk.assign(ticket.id, ANA)
    await teams.desk.record_root_cause(
        ticket.id, "The gateway certificate expired", ANA, title="VPN cert expiry"
    )
    assert "VPN cert expiry" in str(card_of((await say(teams, "causes", LEA, LEADERS, "l1")).body))
    assert "Only a leader" in (await say(teams, "causes", ANA, id="l2")).body["text"]
    assert "escalate FX-AB12CD" in str(card_of((await say(teams, "help", EMP, id="l3")).body))
    form = card_of((await say(teams, f"review {ticket.id}", MIA, id="r1")).body)
    parts = {
        "what_happened": "VPN drop",
        "why_it_mattered": "lost a morning",
        "what_good_looks_like": "check the cert first",
        "what_changes_next": "add a runbook step",
    }
    await teams.click(
        submits(form)["review_submit"],
        MIA,
        "review-1",
        f"{TRIAGE};messageid=r1",
        "channel",
        ticket_input=ticket.id,
        **parts,
    )
    await teams.connector.wait_for("update", where=lambda c: c.activity_id == "review-1")
    reviews = await teams.desk.reviews.list()
    assert len(reviews) == 1 and reviews[0].agent == "ana" and reviews[0].manager == "mia"


async def test_people_without_the_role_are_refused_clearly_and_nothing_changes(teams):
    ticket, _ = await open_ticket(teams)
    await channel_click(teams, {"fixloop": "resolve", "ticket": ticket.id}, EMP, "x1", TRIAGE)
    await channel_click(teams, {"fixloop": "root_cause", "ticket": ticket.id}, EMP, "x2", root_cause="guess")
    await channel_click(teams, {"fixloop": "review_submit"}, ANA, "x3", TRIAGE)
    refusals = await teams.connector.wait_for("posted", 4)
    assert all("Only a" in c.body["text"] for c in refusals[1:])
    assert [c for c in teams.connector.calls if c.kind == "update"] == []
    assert (await teams.desk.tickets.get(ticket.id)).status == Status.SUGGESTED
