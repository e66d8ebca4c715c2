"""The Slack app manifest asks for exactly what the code listens to."""

from __future__ import annotations

import re

from adapters.slack.ids import Command, Shortcut
from tests.slack_fake import ROOT

MANIFEST = (ROOT / "slack-manifest.yaml").read_text(encoding="utf-8")


def test_the_manifest_declares_every_command_and_shortcut_the_app_registers():
    assert set(re.findall(r"command: (/\w+)", MANIFEST)) == {c.value for c in Command}
    assert set(re.findall(r"callback_id: ([\w.]+)", MANIFEST)) == {s.value for s in Shortcut}


def test_the_manifest_subscribes_to_the_events_the_listeners_handle_at_one_request_url():
    events = set(re.findall(r"^      - (\w+(?:\.\w+)?)$", MANIFEST, re.MULTILINE))
    assert events == {
        "app_home_opened",
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "reaction_added",
    }
    urls = set(re.findall(r"(?:url|request_url): (\S+)", MANIFEST))
    assert urls == {"https://fixloop.example.com/slack/events"}
