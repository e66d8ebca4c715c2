"""`/fixloop assign|reply|resolve|priority|link FX-...`: the front line's typed commands in Slack.

Parsed by core/agent_commands.py (the same parser as Teams and the terminal chat), run by
core/frontline.py; the answer goes to the agent only (ephemeral).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from adapters.slack.escape import esc
from adapters.slack.ids import PLATFORM
from core.agent_commands import AgentCommand, parse, verb_of
from core.desk import Desk
from core.limits import MAX_RAW_TEXT, check_size

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")  # how Slack writes an @mention in command text


def is_front_line(text: str) -> bool:
    """Whether `/fixloop` text is one of the front line's commands (assign, reply, resolve, ...)."""
    return verb_of(text) is not None


def to_command(text: str) -> AgentCommand | None:
    """The command in `/fixloop` text, with an @mentioned assignee as their Slack user id."""
    cmd = parse(check_size(text, MAX_RAW_TEXT, "command text"))
    if cmd is not None and cmd.person:
        found = MENTION.fullmatch(cmd.person.strip())
        cmd = replace(cmd, person=found.group(1)) if found else cmd
    return cmd


async def on_front_line(command: dict[str, Any], respond: AsyncRespond, desk: Desk) -> None:
    """Run a typed front-line command and tell the agent, privately, what it did."""
    cmd = to_command(command.get("text") or "")
    if cmd is None:
        return
    # A slash command has no message id; its trigger id is unique per invocation, so a resent one is a no-op.
    ref = f"{PLATFORM}:command:{command.get('trigger_id') or ''}" if command.get("trigger_id") else None
    done = await desk.front_line(cmd, command["user_id"], PLATFORM, ref=ref)
    await respond(text=esc(done.text), response_type="ephemeral", replace_original=False)
