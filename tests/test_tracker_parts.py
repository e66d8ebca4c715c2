"""Tracker pieces as plain data: URL recognition, escaping, fixloop.toml, signatures, webhook payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

import pytest

from adapters.trackers import webhooks as hooks
from adapters.trackers.render import escape_jira, escape_markdown, jira_wiki, markdown
from bot.config import ConfigError, parse_config
from core.trackers import IssueDraft, Item, TrackerKind, parse_issue_url, project_of

HOSTILE = ["@channel <script>alert(1)</script>", "[click](https://evil.example)", "*bold* _it_ #12 ![x](y)",
           "{code}x{code} [~admin] h1. big", "|table|cell|", "line\nbreak\n\n## heading"]


@pytest.mark.parametrize(("url", "kind", "issue"), [
    ("https://github.com/acme/it-access/issues/12", TrackerKind.GITHUB, "acme/it-access#12"),
    ("https://github.example.com/acme/app/pull/7/", TrackerKind.GITHUB, "acme/app#7"),
    ("https://acme.atlassian.net/browse/OPS-42", TrackerKind.JIRA, "OPS-42"),
    ("https://jira.example.com/browse/FAC-7", TrackerKind.JIRA, "FAC-7"),
    ("https://linear.app/acme/issue/ENG-42/exports-time-out", TrackerKind.LINEAR, "ENG-42"),
])
def test_tracker_urls_are_recognised(url: str, kind: TrackerKind, issue: str):
    found = parse_issue_url(url)
    assert found is not None and (found.tracker, found.issue, found.url) == (kind, issue, url)


@pytest.mark.parametrize("url", ["https://example.com/acme/app/issues/1", "https://wiki.example.com/page",
                                 "https://linear.app/acme/project/x", "https://github.com/acme"])
def test_other_links_are_not_taken_for_tracker_issues(url: str):
    assert parse_issue_url(url) is None


def test_an_issue_id_names_its_project():
    assert (project_of("acme/app#12"), project_of("OPS-7"), project_of("ENG-42")) == ("acme/app", "OPS", "ENG")


@pytest.mark.parametrize("text", HOSTILE)
def test_person_written_text_is_inert_in_markdown_and_jira_wiki(text: str):
    md, wiki = escape_markdown(text), escape_jira(text)
    for out in (md, wiki):
        assert "\n" not in out and "@channel" not in out  # no new blocks; mentions broken by a zero-width space
    assert re.search(r"(?<!\\)[\[\]()<>*_#`!|]", md) is None  # every markup character is escaped
    assert re.search(r"(?<!\\)[\[\]{}|~*_#!^+-]", wiki) is None


def test_links_fixloop_built_stay_links_and_labels_are_escaped():
    draft = IssueDraft("t", ("intro *x*",), (("Tickets", (Item("T1 [x](y)", "https://slack.com/archives/C1/p1"),)),))
    assert "- [T1 \\[x\\]\\(y\\)](https://slack.com/archives/C1/p1)" in markdown(draft)
    assert "* [T1 \\[x\\](y)|https://slack.com/archives/C1/p1]" in jira_wiki(draft)
    bad = IssueDraft("t", (), (("S", (Item("x", "javascript:alert(1)"),)),))
    assert "javascript" not in markdown(bad) and "javascript" not in jira_wiki(bad)


def _config(tracker: str) -> dict:
    return {"teams": {"it-access": {"name": "IT", "tracker": json.loads(tracker)}}}


def test_a_teams_tracker_is_read_from_fixloop_toml():
    config = parse_config(_config('{"kind": "jira", "project": "OPS", "issue_type": "Bug"}'), "t.toml")
    setup = config.trackers["it-access"]
    assert (setup.kind, setup.project, setup.issue_type) == (TrackerKind.JIRA, "OPS", "Bug")


@pytest.mark.parametrize(("tracker", "says"), [
    ('{"kind": "gitlab", "repo": "a/b"}', "kind must be"),
    ('{"kind": "github", "repo": "not a repo"}', "repo must be like"),
    ('{"kind": "github", "repo": "a/b", "project": "X"}', "project is unknown"),
    ('{"kind": "linear"}', "team must be like"),
])
def test_a_bad_tracker_table_names_its_key(tracker: str, says: str):
    with pytest.raises(ConfigError, match=says):
        parse_config(_config(tracker), "t.toml")


def test_signatures_are_checked_over_the_raw_body():
    body, secret = b'{"a": 1}', "s3cret"
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hooks.verify_github(secret, body, {"X-Hub-Signature-256": f"sha256={digest}"})
    assert not hooks.verify_github(secret, body + b" ", {"X-Hub-Signature-256": f"sha256={digest}"})
    assert hooks.verify_jira(secret, body, {"X-Hub-Signature": f"sha256={digest}"})
    assert not hooks.verify_jira(secret, body, {})


def test_a_linear_webhook_older_than_a_minute_is_refused_even_when_signed():
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    stamp = int(now.timestamp() * 1000)
    for age, ok in ((0, True), (59_000, True), (61_000, False)):
        body = json.dumps({"type": "Issue", "webhookTimestamp": stamp - age}).encode()
        signature = hmac.new(b"s", body, hashlib.sha256).hexdigest()
        assert hooks.verify_linear("s", body, {"Linear-Signature": signature}, json.loads(body), now) is ok


def test_a_merged_pull_request_ships_the_issues_it_closes():
    payload = {"action": "closed", "repository": {"full_name": "acme/app"},
               "pull_request": {"number": 9, "merged_at": "2026-12-02T10:00:00Z",
                                "body": "Fixes #12, closes acme/other#3. Related to #4."}}
    states = hooks.github_states("pull_request", payload)
    assert sorted(s.issue for s in states) == ["acme/app#12", "acme/app#9", "acme/other#3"]
    assert all(s.done and s.at == datetime(2026, 12, 2, 10, tzinfo=UTC) for s in states)
    unmerged = {**payload, "pull_request": {**payload["pull_request"], "merged_at": None}}
    assert hooks.github_states("pull_request", unmerged) == []


def test_an_issue_closed_as_not_planned_is_not_a_shipped_fix():
    issue = {"number": 1, "state": "closed", "state_reason": "not_planned", "closed_at": "2026-12-02T10:00:00Z",
             "updated_at": "2026-12-02T10:00:00Z"}
    [state] = hooks.github_states("issues", {"action": "closed", "issue": issue, "repository": {"full_name": "a/b"}})
    assert not state.done
