"""Answers to review follow-ups: only the review's manager, once, stored, counted, on Slack and Teams."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.db.claims import SqlJobClaims
from adapters.db.repositories import SqlRepositories
from core.coaching import FollowUpAnswer, Review, review_summary
from core.errors import InvalidInput, NotAllowed, ReviewNotFound
from core.follow_ups import follow_up_summary, format_follow_ups
from core.jobs import Claimer, send_follow_ups
from core.messages import AnswerFollowUp
from core.org import Person, PersonRole
from core.periods import Period
from core.schedule import JobPolicy
from tests import slack_fake, teams_fake
from tests.fakes import FakeClock, fake_desk, sample_org

WRITTEN = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)
ASKED = WRITTEN + timedelta(days=7)
WEEK = Period(datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))


def review(rid: str = "REV-1", manager: str = "mia", **kw) -> Review:  # type: ignore[no-untyped-def]
    return Review(rid, "FX-1", "ana", manager, "a", "b", "c", "Write down the error code",
                  created_at=WRITTEN, follow_up_at=ASKED, **kw)


async def desk_with_review():  # type: ignore[no-untyped-def]
    org = sample_org()
    org = dataclasses.replace(org, people=(*org.people, Person("max", "Max", frozenset({PersonRole.MANAGER}))))
    desk = await fake_desk(org=org)
    desk.clock = FakeClock(ASKED + timedelta(hours=2))
    await desk.reviews.save(review())
    return desk


async def test_the_reviews_manager_answers_and_the_answer_is_stored_with_who_and_when():
    desk = await desk_with_review()
    answered = await desk.answer_follow_up(AnswerFollowUp("REV-1", "mia", True, "  Notes name the error now. "))
    stored = await desk.reviews.get("REV-1")
    assert stored.answer == answered.answer == FollowUpAnswer(True, "mia", ASKED + timedelta(hours=2),
                                                              "Notes name the error now.")
    [entry] = desk.audit.entries
    assert (entry.who, entry.action.value, entry.review_id, entry.ticket_id) == (
        "mia", "follow_up_answered", "REV-1", "FX-1"
    )
    assert entry.detail == "it changed: Notes name the error now."


async def test_another_manager_or_an_agent_may_not_answer_and_the_error_names_who_can():
    desk = await desk_with_review()
    for who in ("max", "ana", "UANA", "someone-unknown"):
        with pytest.raises(NotAllowed, match="Only mia, who wrote review REV-1 of FX-1, can answer"):
            await desk.answer_follow_up(AnswerFollowUp("REV-1", who, False))
    assert (await desk.reviews.get("REV-1")).answer is None and desk.audit.entries == []


async def test_a_second_answer_is_refused_and_the_first_stands():
    desk = await desk_with_review()
    await desk.answer_follow_up(AnswerFollowUp("REV-1", "mia", False))
    with pytest.raises(InvalidInput, match='already answered "Not yet"'):
        await desk.answer_follow_up(AnswerFollowUp("REV-1", "mia", True))
    assert (await desk.reviews.get("REV-1")).answer.changed is False


async def test_an_unknown_review_or_an_overlong_note_is_refused_clearly():
    desk = await desk_with_review()
    with pytest.raises(ReviewNotFound, match="No ticket review 'REV-404'"):
        await desk.answer_follow_up(AnswerFollowUp("REV-404", "mia", True))
    with pytest.raises(InvalidInput, match="keep it under 2000"):
        await desk.answer_follow_up(AnswerFollowUp("REV-1", "mia", True, "x" * 2001))
    assert (await desk.reviews.get("REV-1")).answer is None


def test_review_stats_count_follow_ups_asked_and_answered_per_manager():
    at = ASKED + timedelta(hours=1)
    reviews = [
        review("R1", answer=FollowUpAnswer(True, "mia", at)),
        review("R2", answer=FollowUpAnswer(False, "mia", at)),
        review("R3", manager="max", answer=FollowUpAnswer(True, "max", at)),
        review("R4"),
        review("R5", answer=FollowUpAnswer(True, "mia", WEEK.end + timedelta(days=1))),  # next week's
    ]
    summary = follow_up_summary(reviews, WEEK)
    assert summary == {
        "asked": 5,
        "answered": 3,
        "changed": 2,
        "not_yet": 1,
        "per_manager": {"max": {"changed": 1, "not_yet": 0}, "mia": {"changed": 1, "not_yet": 1}},
    }
    assert format_follow_ups(summary) == (
        "  follow-ups: 5 asked, 3 answered (2 yes, it changed; 1 not yet); "
        "max 1 changed / 0 not yet, mia 1 changed / 1 not yet"
    )
    assert review_summary(reviews, WEEK)["count"] == 0  # written the week before


async def test_the_sql_repository_keeps_the_answer_with_the_review(repos: SqlRepositories):
    await repos.reviews.save(review())
    assert (await repos.reviews.get("REV-1")).answer is None
    answer = FollowUpAnswer(False, "mia", ASKED, "Still vague notes.")
    await repos.reviews.save(dataclasses.replace(review(), answer=answer))
    [listed] = await repos.reviews.list(agent="ana")
    assert listed.answer == answer and (await repos.reviews.get("REV-1")) == listed
    assert await repos.reviews.get("REV-404") is None


async def _ask(desk, engine) -> None:  # type: ignore[no-untyped-def]
    desk.clock = FakeClock(ASKED + timedelta(minutes=5))
    claimer = Claimer(SqlJobClaims(engine), "r0", desk.clock, JobPolicy())
    assert await send_follow_ups(reviews=desk.reviews, claimer=claimer, notifier=desk.notifier) == 1


async def test_on_slack_the_manager_clicks_yes_with_a_note_and_others_are_refused(engine, db_url):
    async with slack_fake.harness(db_url) as slack:
        ticket = await slack.desk.log_request(_request())
        await slack.desk.reviews.save(dataclasses.replace(review(), ticket_id=ticket.ticket.id))
        await _ask(slack.desk, engine)
        await slack.runtime.drain()  # the follow-up goes out through the outbox
        [post] = slack.fake.of("chat.postMessage")
        assert post["channel"] == slack_fake.MIA and "Write down the error code" in post["text"]
        yes = slack_fake.buttons(post["blocks"])["fixloop.follow_up_changed"]
        assert "fixloop.follow_up_not_yet" in slack_fake.buttons(post["blocks"])
        await _click(slack, yes, slack_fake.LEA, post, "")
        [refusal] = await slack.fake.wait_for("response_url")
        assert refusal["response_type"] == "ephemeral" and "Only mia, who wrote review REV-1" in refusal["text"]
        await _click(slack, yes, slack_fake.MIA, post, "They log the error code now.")
        updated = (await slack.fake.wait_for("response_url", 2))[1]
        assert updated["replace_original"] and "Yes, it changed" in updated["text"]
        assert slack_fake.buttons(updated["blocks"]) == {}
        assert all(b["type"] != "input" for b in updated["blocks"])
        answer = (await slack.desk.reviews.get("REV-1")).answer
        assert (answer.changed, answer.by, answer.note) == (True, "mia", "They log the error code now.")


def _request():  # type: ignore[no-untyped-def]
    from core.messages import LogRequest

    return LogRequest(platform="console", requester="emp", text="VPN drops every hour")


async def _click(slack, button, user: str, post, note: str):  # type: ignore[no-untyped-def]
    """Click a follow-up button with the note typed in the message's input, as Slack sends it."""
    state = {"values": {"follow_up_note": {"follow_up_note": {"type": "plain_text_input", "value": note}}}}
    action = {"type": "button", "action_id": button["action_id"], "block_id": "fixloop.actions",
              "value": button["value"], "action_ts": "1800000000.1"}
    return await slack.interact({
        "type": "block_actions", "user": {"id": user}, "trigger_id": "trig.button",
        "channel": {"id": post["channel"]}, "container": {"type": "message"},
        "message": {"ts": "1800000000.000001", "blocks": post["blocks"]}, "state": state,
        "response_url": slack.fake.response_url("button"), "actions": [action],
    })


async def test_on_teams_the_manager_answers_not_yet_on_the_card_and_others_are_refused(engine, db_url, tmp_path: Path):
    async with teams_fake.harness(db_url, tmp_path) as teams:
        await teams.post(teams_fake.message("VPN drops every hour", id="m1"))  # Teams has talked to Fixloop
        await teams.connector.wait_for("reply")
        ticket = await teams.desk.find_thread(f"teams:{teams_fake.DM};messageid=m1")
        await teams.desk.reviews.save(dataclasses.replace(review(), ticket_id=ticket.id))
        await _ask(teams.desk, engine)
        await teams.runtime.drain()  # the follow-up goes out through the outbox
        [post] = await teams.connector.wait_for("posted", where=lambda c: c.conversation.startswith("a:new-"))
        card = teams_fake.card_of(post.body)
        assert any(e.get("id") == "follow_up_note" for e in card["body"])
        data = teams_fake.submits(card)
        assert set(data) == {"follow_up_changed", "follow_up_not_yet"}
        assert data["follow_up_not_yet"]["review"] == "REV-1"
        await teams.click(data["follow_up_not_yet"], teams_fake.LEA, "fu-1", post.conversation)
        refused = await teams.connector.wait_for("posted", where=lambda c: "Only a manager" in str(c.body))
        assert refused and (await teams.desk.reviews.get("REV-1")).answer is None
        await teams.click(data["follow_up_not_yet"], teams_fake.MIA, "fu-1", post.conversation,
                          follow_up_note="Notes still skip the time.")
        [update] = await teams.connector.wait_for("update", where=lambda c: c.activity_id == "fu-1")
        assert "answered: Not yet (note: Notes still skip the time.)" in json.dumps(update.body)
        answer = (await teams.desk.reviews.get("REV-1")).answer
        assert (answer.changed, answer.by, answer.note) == (False, "mia", "Notes still skip the time.")


async def test_fixloop_kpis_shows_the_follow_up_answers(repos: SqlRepositories, db_url: str):
    from tests.cli_support import cli_for

    await repos.reviews.save(dataclasses.replace(review(), answer=FollowUpAnswer(True, "mia", ASKED)))
    cli = cli_for(db_url)
    data = json.loads(cli.run("kpis", "--from", "2026-11-16", "--to", "2026-11-23", "--json").stdout)
    assert data["reviews"]["follow_ups"]["changed"] == 1 and data["reviews"]["follow_ups"]["asked"] == 1
    text = cli.run("kpis", "--from", "2026-11-16", "--to", "2026-11-23").stdout
    assert "follow-ups: 1 asked, 1 answered (1 yes, it changed; 0 not yet); mia 1 changed / 0 not yet" in text
