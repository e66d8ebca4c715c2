"""What agents see of a requester's files: escaped names, links only to the platform's own copy, and
hostile file objects translated or refused clearly."""

from __future__ import annotations

import json

from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.attachments import attachment_lines
from adapters.slack.attachments import files_of as slack_files
from adapters.teams.attachments import attachment_facts
from adapters.teams.attachments import files_of as teams_files
from core.attachments import Attachment, headline
from tests.hostile import JSON, either, payload

HOSTILE = "<!channel> <https://evil.example|click> [click](https://evil.example) ![x](https://evil.example/x.png)"


def test_a_hostile_file_name_is_escaped_on_both_platforms() -> None:
    slack = Attachment(HOSTILE, "image/png", 10, "slack", "F1", "https://acme.slack.com/files/U1/F1/x.png")
    teams = Attachment(HOSTILE, "text/plain", None, "teams")
    shown = attachment_lines([slack])
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert shown.count("<https://") == 1  # only Fixloop's own link to Slack's copy
    facts = json.dumps(attachment_facts([teams]))
    assert "[click](https://evil.example)" not in facts and "![x]" not in facts


def test_the_headline_says_how_many_and_that_nothing_was_re_shared() -> None:
    one = Attachment("a.png")
    assert headline([one]) == "1 attachment from the requester (not re-shared)"
    assert headline([one, one]) == "2 attachments from the requester (not re-shared)"
    assert headline([]) == ""


def test_a_link_that_is_not_a_plain_url_is_not_kept() -> None:
    [f] = slack_files({"files": [{"id": "F1", "name": "x", "permalink": "javascript:alert(1)"}]})
    assert f.url == ""


@settings(max_examples=200, deadline=None)
@given(payload({"files": st.lists(payload({"id": JSON, "name": JSON, "size": JSON, "permalink": JSON}))}))
def test_slack_file_objects_translate_or_are_refused_clearly(event: dict[str, object]) -> None:
    either(slack_files, event)


@settings(max_examples=200, deadline=None)
@given(st.lists(payload({"contentType": JSON, "contentUrl": JSON, "name": JSON, "content": JSON}), max_size=4))
def test_teams_attachments_translate_or_are_refused_clearly(attachments: list[dict[str, object]]) -> None:
    activity = either(Activity().deserialize, {"type": "message", "attachments": attachments})
    if isinstance(activity, Activity):
        either(teams_files, activity)
