"""Hostile text through every kind of post, on both platforms, over the real HTTP path.

A requester, an agent and the language model each write the nastiest strings of issue 12; every message
and card Fixloop sends (first reply, triage, relays both ways, escalation with the model's summary, root
cause, fix link, shipped note, SLA nudge, status note) is recorded by the fake Slack or the fake Bot
Connector, and none may carry a working ping, a disguised link, an image or emphasis built from that text.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from core.jobs import nudge_notice
from tests import slack_fake, teams_fake
from tests.hostile import CARD_FORGERIES, HOSTILE, SLACK_FORGERIES, card_strings
from tests.llm_fake import completion, serve_openai
from tests.slack_fake import ANA, EMPLOYEE, buttons

SLACK_ESCAPED = "&lt;!channel&gt;"  # the requester's <!channel>, shown as text
CARD_ESCAPED = r"\[click\]\(https://evil.example\)"  # the requester's markdown link, shown as text
POSTING = ("chat.postMessage", "chat.postEphemeral", "chat.update", "response_url")


def typed(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def picked(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


@pytest.fixture
async def model():  # type: ignore[no-untyped-def]
    """A language model that answers every summary with the same hostile text."""
    async with serve_openai() as (server, url):
        server.reply = lambda: web.json_response(completion(json.dumps({"summary": f"Summary: {HOSTILE}"})))
        yield url


def slack_outgoing(fake: slack_fake.FakeSlack) -> list[dict[str, Any]]:
    """Every message Fixloop sent or changed on Slack."""
    return [c.params for c in fake.calls if c.method in POSTING]


def assert_no_slack_forgery(sent: list[dict[str, Any]]) -> None:
    for params in sent:
        dump = json.dumps(params)
        for forged in SLACK_FORGERIES:
            assert forged not in dump, f"{forged!r} went out raw in {dump[:400]}"


async def test_every_kind_of_slack_post_escapes_what_people_and_the_model_wrote(engine, db_url, model):
    async with slack_fake.harness(db_url, openai_api_key="sk-" + "x" * 24, openai_base_url=model) as slack:
        fake = slack.fake
        await slack.event({"type": "message", "channel": "D0EMP", "channel_type": "im", "user": EMPLOYEE,
                           "text": HOSTILE, "ts": "1700000000.000100"})
        triage = (await fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0TRIAGE"))[0]
        ticket = await slack.desk.find_thread("slack:D0EMP:1700000000.000100")
        triage_ts = (await slack.eventually(lambda: _chat_of(slack, ticket.id, "triage_ts")))
        # The requester writes again (relayed into the triage thread); an agent answers there (relayed back).
        await slack.event({"type": "message", "channel": "D0EMP", "channel_type": "im", "user": EMPLOYEE,
                           "text": f"again {HOSTILE}", "ts": "1700000000.000200", "thread_ts": "1700000000.000100"})
        await fake.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == triage_ts)
        await slack.event({"type": "message", "channel": "C0TRIAGE", "user": ANA, "text": f"agent {HOSTILE}",
                           "ts": "1700000001.000001", "thread_ts": triage_ts})
        await fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "D0EMP" and "agent" in p["text"])
        # Escalation with a hostile reason and the model's hostile summary; the requester's status note.
        await slack.command("/escalate", f"{ticket.id} it-network {HOSTILE}", ANA)
        view = (await fake.wait_for("views.open"))[0]["view"]
        await slack.submit(view, ANA, {"team": picked("it-network"), "reason": typed(HOSTILE)})
        posted = await fake.wait_for("chat.postMessage", where=lambda p: p["channel"] == "C0NETWORK")
        escalation = {**posted[0], "ts": fake.answered("chat.postMessage", posted[0])["ts"]}
        owner = buttons(escalation["blocks"])
        # Root cause, a refused disguised fix link, a good one, and the shipped note, all in the owner's thread.
        await slack.click(owner["fixloop.root_cause"], ANA, message=escalation, channel="C0NETWORK")
        form = (await fake.wait_for("views.open", 2))[-1]["view"]
        await slack.submit(form, ANA, {"root_cause": typed(HOSTILE), "title": typed(HOSTILE[:100])})
        in_thread = lambda p: p.get("thread_ts") == escalation["ts"]  # noqa: E731
        await fake.wait_for("chat.postMessage", where=in_thread)
        await slack.click(owner["fixloop.link_fix"], ANA, message=escalation, channel="C0NETWORK")
        form = (await fake.wait_for("views.open", 3))[-1]["view"]
        refused = await slack.submit(form, ANA, {"fix_url": typed("https://evil.example|click here")})
        assert (await refused.json())["response_action"] == "errors"
        await slack.submit(form, ANA, {"fix_url": typed("https://jira.example.com/browse/NET-42")})
        await fake.wait_for("chat.postMessage", 2, where=in_thread)
        await slack.click(owner["fixloop.fix_shipped"], ANA, message=escalation, channel="C0NETWORK")
        await fake.wait_for("response_url", where=lambda p: "shipped the fix" in p.get("text", ""))
        # An SLA nudge about the ticket (its subject is the requester's text).
        now = slack.desk.clock.now()
        await slack.desk.notifier.send(nudge_notice(await slack.desk.tickets.get(ticket.id), now + timedelta(minutes=9), now))
        await fake.wait_for("chat.postMessage", where=lambda p: "SLA" in p.get("text", ""))

        sent = slack_outgoing(fake)
        assert_no_slack_forgery(sent)
        kinds = {
            "triage": lambda p: p is triage,
            "relay to agents": lambda p: p.get("thread_ts") == triage_ts,
            "relay to requester": lambda p: p.get("channel") == "D0EMP" and "agent" in p.get("text", ""),
            "escalation": lambda p: p.get("channel") == "C0NETWORK" and not p.get("thread_ts"),
            "root cause note": lambda p: in_thread(p) and "root cause" in p.get("text", ""),
            "shipped note": lambda p: "shipped the fix" in p.get("text", ""),
            "SLA nudge": lambda p: "SLA" in p.get("text", ""),
        }
        for kind, match in kinds.items():
            shown = [p for p in sent if match(p) and SLACK_ESCAPED in json.dumps(p)]
            assert shown, f"the {kind} post did not show the hostile text escaped"
        assert "Summary: &lt;!channel&gt;" in json.dumps(escalation["blocks"])  # the model's text, escaped
        fix_note = [p for p in sent if in_thread(p) and "linked the fix" in p.get("text", "")]
        assert fix_note and "<https://jira.example.com/browse/NET-42>" in fix_note[0]["text"]


async def _chat_of(slack, ticket_id: str, key: str):  # type: ignore[no-untyped-def]
    ticket = await slack.desk.tickets.get(ticket_id)
    return ticket.chat.get(key)


def teams_outgoing(connector: teams_fake.FakeConnector) -> list[str]:
    """Every string in every activity Fixloop sent or updated on Teams (card text, facts, message text)."""
    return [s for c in connector.calls for s in card_strings(c.body)]


async def test_every_kind_of_teams_card_shows_what_people_and_the_model_wrote_literally(
    engine, db_url, tmp_path, model
):
    async with teams_fake.harness(
        db_url, tmp_path, openai_api_key="sk-" + "x" * 24, openai_base_url=model
    ) as teams:
        connector = teams.connector
        await teams.post(teams_fake.message(HOSTILE, id="h1"))
        await connector.wait_for("posted", where=lambda c: c.conversation == teams_fake.TRIAGE)
        ticket = await teams.desk.find_thread(f"teams:{teams_fake.DM};messageid=h1")
        form = await _say(teams, f"escalate {ticket.id} it-network {HOSTILE}")
        data = teams_fake.submits(form)["escalate_submit"]
        await teams.click(data, teams_fake.ANA, "form-1", f"{teams_fake.TRIAGE};messageid=form-1", "channel",
                          team="it-network", reason=HOSTILE)
        card = teams_fake.card_of(
            (await connector.wait_for("posted", where=lambda c: c.conversation == teams_fake.NETWORK))[0].body
        )
        owner = teams_fake.submits(card)
        on_card = (teams_fake.ANA, "esc-1", f"{teams_fake.NETWORK};messageid=esc-1", "channel")
        await teams.click(owner["root_cause"], *on_card, root_cause=HOSTILE, title=HOSTILE[:100])
        await teams.click(owner["link_fix"], *on_card, fix_url="https://jira.example.com/browse/NET-42")
        await teams.click(owner["fix_shipped"], *on_card)
        await connector.wait_for("update", 3)
        now = teams.desk.clock.now()
        await teams.desk.notifier.send(nudge_notice(await teams.desk.tickets.get(ticket.id), now + timedelta(minutes=9), now))
        await connector.wait_for("posted", where=lambda c: "SLA" in json.dumps(c.body))

        strings = teams_outgoing(connector)
        for forged in CARD_FORGERIES:
            raw = [(c.kind, c.conversation, s) for c in connector.calls for s in card_strings(c.body) if forged in s]
            assert not raw, f"{forged!r} went out as markdown: {raw}"
        for kind, match in {
            "triage card": lambda c: c.conversation == teams_fake.TRIAGE and "needs a person" in json.dumps(c.body),
            "escalation card": lambda c: c.conversation == teams_fake.NETWORK,
            "owner's updates": lambda c: c.kind == "update",
            "SLA nudge": lambda c: "SLA" in json.dumps(c.body),
        }.items():
            shown = [c for c in connector.calls if match(c) and any(CARD_ESCAPED in s for s in card_strings(c.body))]
            assert shown, f"the {kind} did not show the hostile text escaped"
        assert any(s.startswith("Summary: ") and CARD_ESCAPED in s for s in strings)  # the model's summary


async def _say(teams, text: str):  # type: ignore[no-untyped-def]
    before = len(teams.connector.posted())
    activity = teams_fake.message(
        f"<at>Fixloop</at> {text}", teams_fake.ANA, f"{teams_fake.TRIAGE};messageid=t1", "channel",
        id="t1", entities=teams_fake.mention_bot(),
    )
    await teams.post(activity)
    return teams_fake.card_of((await teams.connector.wait_for("posted", before + 1))[-1].body)
