"""Slack actions as the role tests take them: a scene to act on, clicks, commands and form submissions,
each a signed request to /slack/events, and the private refusal they expect."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.slack import modals
from adapters.slack.forms import Ref
from core.messages import LogRequest
from tests.roles_support import Scene, desk_state, escalated
from tests.slack_fake import ANA, EMPLOYEE


async def scene(slack) -> Scene:  # type: ignore[no-untyped-def]
    """A ticket escalated by an agent, so that every owner's action has something to act on."""
    return await escalated(
        slack,
        LogRequest(
            platform="slack",
            requester=EMPLOYEE,
            text="VPN disconnects every few minutes since this morning",
            thread_key="slack:D0EMP:1700000000.000100",
            chat={"channel": "D0EMP", "thread_ts": "1700000000.000100"},
            channel="D0EMP",
        ),
        ANA,
    )


def click(action_id: str, **value: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
        ids = {"ticket": s.ticket, "escalation": s.escalation}
        return slack.click({"action_id": action_id, "value": json.dumps({**ids, **value})}, user)

    return run


def command(name: str, text: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
        return slack.command(name, text.format(ticket=s.ticket), user)

    return run


def escalate_shortcut(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    message = {"user": EMPLOYEE, "text": "more", "ts": "1700000005.0", "thread_ts": "1700000000.000100"}
    return slack.interact(
        {
            "type": "message_action",
            "callback_id": "fixloop.escalate_message",
            "user": {"id": user},
            "channel": {"id": "D0EMP"},
            "trigger_id": "trig.sc",
            "response_url": slack.fake.response_url("shortcut"),
            "message": message,
        }
    )


def typed(value: str) -> dict[str, str]:
    return {"type": "plain_text_input", "value": value}


def submit_escalation(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.escalate(Ref(s.ticket, channel="C0TRIAGE"), slack.desk.org.teams, "billing", "", "")
    picked = {"type": "static_select", "selected_option": {"value": "billing"}}
    return slack.submit(view, user, {"team": picked, "reason": typed("please")})


def submit_root_cause(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.root_cause(Ref(s.ticket, channel="C0NETWORK", ts="1800000000.000001"))
    return slack.submit(view, user, {"root_cause": typed("a guess"), "title": typed("Guess")})


def submit_fix(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.link_fix(Ref(s.ticket, channel="C0NETWORK", ts="1800000000.000001"))
    return slack.submit(view, user, {"fix_url": typed("https://example.com/fix/1")})


def submit_review(slack, s: Scene, user: str):  # type: ignore[no-untyped-def]
    view = modals.review(Ref(s.ticket), s.ticket, "")
    parts = ("what_happened", "why_it_mattered", "what_good_looks_like", "what_changes_next")
    return slack.submit(view, user, {"ticket": typed(s.ticket), **{p: typed("x") for p in parts}})


async def refused(slack, act, s: Scene, user: str, refusal: str, where: str):  # type: ignore[no-untyped-def]
    """Take the action as `user`, see it refused privately (`where`) with `refusal`; the state before it."""
    before = await desk_state(slack.desk)
    response = await act(slack, s, user)
    assert response.status == 200
    if where == "form":  # the form stays open and says why, beside the field
        text = " ".join((await response.json())["errors"].values())
    elif where == "respond":
        told = await slack.fake.wait_for("response_url")
        assert told[0]["response_type"] == "ephemeral"
        text = told[0]["text"]
    else:
        told = await slack.fake.wait_for("chat.postEphemeral")
        assert told[0]["user"] == user
        text = told[0]["text"]
    assert f"{refusal} that. Ask your Fixloop admin if you need access." in text
    return before
