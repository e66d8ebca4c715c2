"""translate, forms, blocks and modals as plain data: Slack payloads in, core commands and Block Kit out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from adapters.slack import blocks, forms, modals, translate
from adapters.slack.forms import Ref
from adapters.slack.home import home_view
from core.errors import InvalidInput
from core.escalation import Evidence
from core.kb import Suggestion, Suggestions
from core.messages import Reply
from core.org import Org, Team
from core.tickets import Surface, Ticket
from tests.fakes import sample_articles

ORG = Org(
    teams=(Team("it-network", "IT Network"), Team("billing", "Billing")),
    surfaces={"slack:C0HELP": "internal", "slack:C0ACME": "external"},
)
NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def event(**fields):
    return {
        "type": "message",
        "channel": "C0GENERAL",
        "channel_type": "channel",
        "user": "U1",
        "text": "hi",
        "ts": "1.0",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"channel": "D1", "channel_type": "im"}, "log"),
        ({"channel": "C0HELP"}, "log"),
        ({"channel": "C0HELP", "subtype": "thread_broadcast", "thread_ts": "0.5"}, "log"),
        ({}, "ignore"),
        ({"thread_ts": "0.5"}, "join"),
        ({"thread_ts": "0.5", "text": "<@UBOT> look"}, "ignore"),
        ({"channel": "C0HELP", "bot_id": "B1"}, "ignore"),
        ({"channel": "C0HELP", "subtype": "channel_join"}, "ignore"),
        ({"channel": "C0HELP", "user": None}, "ignore"),
    ],
)
def test_route_decides_which_messages_open_join_or_are_ignored(fields, expected):
    assert translate.route(event(**fields), ORG, "UBOT") == expected


def test_a_help_channel_message_becomes_a_log_request_keyed_by_its_thread():
    cmd = translate.message_request(event(channel="C0HELP", ts="2.0", thread_ts="1.5"), {}, ORG)
    assert cmd.platform == "slack" and cmd.requester == "U1" and cmd.channel == "C0HELP"
    assert cmd.thread_key == "slack:C0HELP:1.5" and cmd.chat == {"channel": "C0HELP", "thread_ts": "1.5"}
    assert cmd.message_ref == "slack:C0HELP:2.0" and cmd.surface is None  # core reads [surfaces]


def test_an_unlisted_slack_connect_channel_is_external_and_a_mention_is_stripped():
    cmd = translate.mention_request(
        event(channel="C0SHARED", text="<@UBOT|fixloop> export fails"), {"is_ext_shared_channel": True}, ORG
    )
    assert cmd.surface == Surface.EXTERNAL and cmd.text == "export fails"


def test_the_shortcut_logs_the_author_and_refuses_a_payload_without_a_message():
    shortcut = {
        "user": {"id": "UAGENT"},
        "channel": {"id": "C1"},
        "message": {"user": "UAUTHOR", "text": "broken", "ts": "3.0"},
    }
    assert translate.shortcut_request(shortcut, ORG).requester == "UAUTHOR"
    with pytest.raises(InvalidInput):
        translate.shortcut_request({"user": {"id": "UAGENT"}, "channel": {"id": "C1"}}, ORG)


def test_only_the_ticket_reaction_on_a_message_is_a_target():
    item = {"type": "message", "channel": "C1", "ts": "4.0"}
    assert translate.reaction_target({"reaction": "ticket", "item": item}) == ("C1", "4.0")
    assert translate.reaction_target({"reaction": "eyes", "item": item}) is None
    assert translate.reaction_target({"reaction": "ticket", "item": {"type": "file"}}) is None


def test_edits_and_deletions_name_the_thread_and_the_message_and_bot_edits_are_skipped():
    edit = translate.change_of(
        {
            "subtype": "message_changed",
            "channel": "C1",
            "message": {"user": "U1", "text": "new", "ts": "5.1", "thread_ts": "5.0"},
        }
    )
    assert edit == translate.Change("slack:C1:5.0", "slack:C1:5.1", "new", "U1")
    gone = translate.change_of(
        {
            "subtype": "message_deleted",
            "channel": "C1",
            "deleted_ts": "5.0",
            "previous_message": {"user": "U1", "ts": "5.0"},
        }
    )
    assert gone == translate.Change("slack:C1:5.0", "slack:C1:5.0", None, "U1")
    assert (
        translate.change_of(
            {
                "subtype": "message_changed",
                "channel": "C1",
                "message": {"bot_id": "B1", "text": "x", "ts": "5.1"},
            }
        )
        is None
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FX-AB12CD billing double charge", ("FX-AB12CD", "billing", "double charge")),
        ("billing fx-ab12cd", ("FX-AB12CD", "billing", "")),
        ("it is broken FX-AB12CD", ("FX-AB12CD", None, "it is broken")),
        ("", (None, None, "")),
    ],
)
def test_escalate_arguments_find_the_ticket_the_team_and_the_reason(text, expected):
    assert forms.escalate_args(text, ORG.team_keys()) == expected


def test_a_ref_round_trips_and_a_damaged_one_is_refused_with_a_clear_message():
    ref = Ref("FX-AB12CD", article="kb-vpn", score=4)
    assert Ref.decode(ref.encode()) == ref and len(ref.encode()) < 100
    for damaged in ("{not json", '{"evil": 1}', "", None):
        with pytest.raises(InvalidInput, match="damaged"):
            Ref.decode(damaged)


def test_modal_values_become_escalate_and_review_commands():
    state = {
        "values": {
            "team": {"team": {"type": "static_select", "selected_option": {"value": "billing"}}},
            "reason": {"reason": {"type": "plain_text_input", "value": " charged twice "}},
            "send_to_agent": {
                "send_to_agent": {"type": "checkboxes", "selected_options": [{"value": "send"}]}
            },
        }
    }
    view = {"private_metadata": Ref("fx-ab12cd").encode(), "state": state}
    cmd = forms.escalation_from_view(view, "UANA")
    assert (cmd.ticket_id, cmd.team, cmd.reason, cmd.agent) == (
        "FX-AB12CD",
        "billing",
        "charged twice",
        "UANA",
    )
    assert forms.review_from_view(view, "UMIA").send_to_agent is True
    with pytest.raises(InvalidInput, match="which ticket"):
        forms.escalation_from_view({"private_metadata": "{}", "state": state}, "UANA")


def _ticket(**fields) -> Ticket:
    return Ticket(
        id="FX-AB12CD",
        surface=Surface.INTERNAL,
        created_at=NOW,
        requester="U0EMP",
        subject="VPN <drops>",
        **fields,
    )


def test_the_first_reply_offers_each_article_with_solved_it_and_a_need_help_button():
    articles = sample_articles()
    reply = Reply(
        ticket=_ticket(), is_new=True, suggestions=Suggestions([Suggestion(a, 0.5) for a in articles[:2]])
    )
    out = blocks.first_reply(reply)
    solved = [b["accessory"] for b in out if "accessory" in b]
    assert [Ref.decode(b["value"]).article for b in solved] == ["kb-vpn", "kb-refund"]
    assert out[-1]["elements"][0]["action_id"] == "fixloop.need_help"
    honest = blocks.first_reply(Reply(ticket=_ticket(), is_new=True, suggestions=Suggestions()))
    assert "No article fits" in honest[0]["text"]["text"] and len(honest) == 1


def test_done_removes_the_used_buttons_keeps_the_rest_and_adds_one_note():
    ref = Ref("FX-AB12CD")
    post = [
        blocks.section("x"),
        blocks.actions(
            *(blocks.button(a, a, ref) for a in ("fixloop.assign", "fixloop.escalate", "fixloop.resolve"))
        ),
    ]
    out = blocks.done(blocks.done(post, "first", {"fixloop.assign"}), "second", {"fixloop.resolve"})
    ids = [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]]
    notes = [b for b in out if b.get("block_id") == "fixloop.done"]
    assert ids == ["fixloop.escalate"] and len(notes) == 1 and notes[0]["elements"][0]["text"] == "second"


def test_the_escalation_post_carries_the_evidence_and_the_owner_buttons_escaped():
    evidence = Evidence(
        summary="VPN <script> drops",
        transcript=[{"author": "U0EMP", "text": "help & fast"}],
        articles_tried=[{"id": "kb-vpn", "title": "VPN"}],
        requester="U0EMP",
        surface="internal",
    )
    out = blocks.escalation("FX-AB12CD", "ESC-1", evidence, "cert")
    text = json.dumps(out)
    assert "&lt;script&gt;" in text and "help &amp; fast" in text and "<@U0EMP>" in text
    assert len(out[-1]["elements"]) == 6  # the five owner buttons and File fix issue


def test_long_text_is_split_into_sections_within_slacks_limits():
    out = blocks.plain("x" * 200_000)
    assert len(out) == 50 and all(len(b["text"]["text"]) <= 3000 for b in out)


def test_the_escalate_modal_is_prefilled_and_carries_its_ticket():
    view = modals.escalate(Ref("FX-AB12CD", channel="C1"), ORG.teams, "billing", "owns refunds", "twice")
    select = next(b for b in view["blocks"] if b.get("block_id") == "team")["element"]
    assert select["initial_option"]["value"] == "billing" and len(select["options"]) == 2
    assert Ref.decode(view["private_metadata"]).ticket == "FX-AB12CD" and view["callback_id"].endswith("view")
    assert (
        "initial_option"
        not in next(
            b
            for b in modals.escalate(Ref("X"), ORG.teams, None, "", "")["blocks"]
            if b.get("block_id") == "team"
        )["element"]
    )


def test_home_shows_the_queue_and_causes_only_to_who_may_see_them():
    employee = json.dumps(home_view([_ticket()], None, None))
    agent = json.dumps(home_view([], [_ticket()], None))
    assert "FX-AB12CD" in employee and "Waiting for a person" not in employee
    assert "Waiting for a person" in agent and "Root causes" not in agent
