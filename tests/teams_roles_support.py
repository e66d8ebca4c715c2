"""Teams actions as the role tests take them: a scene to act on, card presses and typed commands, each a
signed activity, and the refusal they expect."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from core.messages import LogRequest
from tests.roles_support import Scene, desk_state, escalated
from tests.teams_fake import ANA, DM, EMP, NETWORK, TRIAGE, mention_bot, message

PARTS = {"what_happened": "x", "why_it_mattered": "x", "what_good_looks_like": "x", "what_changes_next": "x"}


async def scene(teams) -> Scene:  # type: ignore[no-untyped-def]
    """A ticket escalated by an agent, so that every owner's action has something to act on."""
    return await escalated(
        teams,
        LogRequest(
            platform="teams",
            requester=EMP,
            text="VPN disconnects every few minutes since this morning",
            thread_key=f"teams:{DM};messageid=m1",
            channel=DM,
        ),
        ANA,
    )


def click(action: str, channel: str = NETWORK, **values: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(teams, s: Scene, user: str):  # type: ignore[no-untyped-def]
        data = {"fixloop": action, "ticket": s.ticket, "escalation": s.escalation}
        return teams.click(data, user, "card-1", f"{channel};messageid=card-1", "channel", **values)

    return run


def typed(text: str) -> Callable[[Any, Scene, str], Awaitable[Any]]:
    def run(teams, s: Scene, user: str):  # type: ignore[no-untyped-def]
        activity = message(
            f"<at>Fixloop</at> {text.format(ticket=s.ticket)}",
            user,
            f"{TRIAGE};messageid=t1",
            "channel",
            id="t1",
            entities=mention_bot(),
        )
        return teams.post(activity)

    return run


async def refused(teams, act, s: Scene, user: str, refusal: str):  # type: ignore[no-untyped-def]
    """Take the action as `user` and see it refused with `refusal`; the desk's state before it."""
    before, posted = await desk_state(teams.desk), len(teams.connector.posted())
    response = await act(teams, s, user)
    assert response.status in (200, 201)
    told = (await teams.connector.wait_for("posted", posted + 1))[-1]
    assert f"{refusal} that. Ask your Fixloop admin if you need access." in told.body["text"]
    return before
