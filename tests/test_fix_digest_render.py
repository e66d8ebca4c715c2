"""The digest's fixes section on Slack and Teams: counts per kind, cause titles escaped."""

from __future__ import annotations

import json

from adapters.slack import digest_blocks
from adapters.teams import digest_card
from tests.digest_support import busy_digest_dict

HOSTILE = "<!channel> **Exports** [x](https://evil.example)"


def _digest() -> dict:
    data = busy_digest_dict()
    data["fixes"] = {"filed": [{"key": "a", "title": HOSTILE}], "shipped": [], "held": [],
                     "regressed": [{"key": "b", "title": "VPN drops"}]}
    return data


def test_the_slack_digest_lists_the_fixes_of_the_week_escaped():
    section = json.dumps(digest_blocks.digest(_digest()))
    assert "*filed*: 1" in section and "*regressed*: 1 (VPN drops)" in section and "*held*: 0" in section
    assert "<!channel>" not in section and "&lt;!channel&gt;" in section


def test_the_teams_digest_lists_the_fixes_of_the_week_escaped():
    card = digest_card.digest(_digest(), None, has_chart=False)
    fixes = card["body"][-1]["text"]
    assert "**filed**: 1" in fixes and "**regressed**: 1 (VPN drops)" in fixes
    assert "**Exports**" not in fixes and "[x](" not in fixes
