"""Typed `assign|reply|resolve|priority|link FX-...` in Teams: to the bot, or @mentioning it in a channel.

Parsed by core/agent_commands.py (the same parser as Slack and the terminal chat), run by
core/frontline.py; the answer goes back in the conversation the command came from.
"""

from __future__ import annotations

from dataclasses import replace

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams import translate
from adapters.teams.escape import md
from adapters.teams.ids import PLATFORM
from core.agent_commands import AgentCommand, Verb, looks_like_command, parse, verb_of
from core.desk import Desk
from core.org import Org, PersonRole


def command_of(activity: Activity, org: Org) -> AgentCommand | None:
    """The front-line command typed, or None when the text is something else (or an employee's request).

    Anyone's "verb FX-..." is a command (refused later for a non-agent); an agent's "verb ..." without a
    ticket id is a command with bad input; an employee's "reply to my mail hangs" is a help request.
    """
    text = translate.text_of(activity)
    agent = PersonRole.AGENT in org.roles_of(translate.actor(activity), PLATFORM)
    if not looks_like_command(text) and not (agent and verb_of(text) is not None):
        return None
    cmd = parse(text)
    if cmd is None or cmd.verb != Verb.ASSIGN:
        return cmd
    return replace(cmd, person=_assignee(activity, org) or cmd.person)


def _assignee(activity: Activity, org: Org) -> str | None:
    """The first person @mentioned besides the bot, as their person key when fixloop.toml knows them.

    A mention carries the Teams user id ("29:...") and the display name; fixloop.toml may hold either id.
    """
    bot = activity.recipient.id if activity.recipient else None
    for mid, name in translate.mentions(activity):
        if mid == bot:
            continue
        person = org.person(mid, PLATFORM) or next((p for p in org.people if p.name == name), None)
        return person.key if person else (name or mid)
    return None


async def dispatch(turn_context: TurnContext, cmd: AgentCommand, desk: Desk) -> None:
    """Run the command and say what it did (errors go to the one error handler)."""
    activity = turn_context.activity
    place = translate.place_of(activity)
    ref = f"{PLATFORM}:{place.base}:{activity.id}" if activity.id else None  # a redelivery changes nothing
    done = await desk.front_line(cmd, translate.actor(activity), PLATFORM, ref=ref)
    await turn_context.send_activity(md(done.text))
