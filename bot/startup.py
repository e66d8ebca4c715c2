"""The start-up screen of `fixloop serve` on a terminal: where to go next."""

from __future__ import annotations

import sys
from pathlib import Path

CHATS = (  # kept under 80 columns with `.venv/bin/fixloop` in front
    ("chat", "as an employee: describe a problem"),
    ("chat --as agent", "/queue /take /reply /escalate /resolve"),
    ("chat --as manager", "/coaching /review"),
    ("chat --as leader", "/causes /digest /kpis"),
    ("digest", "last week's digest (also: kpis, causes)"),
)


def program() -> str:
    """The command as the person started it (`.venv/bin/fixloop` under `make run`), else `fixloop`."""
    started = Path(sys.argv[0])
    return str(started) if started.name == "fixloop" else "fixloop"


def next_steps(url: str, *, slack: str, teams: str, command: str = "fixloop") -> str:
    """Say that Fixloop is up, how to chat with it now, and how to connect Slack and Teams."""
    return "\n".join([
        "",
        f"Fixloop is ready on {url} (/healthz, /metrics). Ctrl-C stops it.",
        "",
        "Try it now in another terminal (in the chat, /help lists every command):",
        *(f"  {command + ' ' + args:<{len(command) + 19}} {what}" for args, what in CHATS),
        "",
        *SLACK[slack],
        *TEAMS[teams],
        "",
    ])


SLACK = {
    "off": ["Connect Slack: create the app from slack-manifest.yaml, then restart with",
            "  SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set (README.md, Connect Slack)."],
    "http": ["Slack is on: its request URL is https://<public host>/slack/events."],
    "socket": ["Slack is on, over Socket Mode (no public URL needed)."],
}
TEAMS = {
    "off": ["Connect Teams: register an Azure Bot, then restart with MICROSOFT_APP_ID,",
            "  MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID set (README.md, Connect Teams)."],
    "open": ["Teams is on WITHOUT authentication (development only): POST /api/messages."],
    "on": ["Teams is on: its messaging endpoint is https://<public host>/api/messages."],
}
