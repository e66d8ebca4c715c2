"""Each tracker's real client library against a fake server: file, link by URL, signed webhooks, reopen, poll."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.causes import Cause, FixStatus
from core.tickets import Surface, Ticket
from tests.trackers_fake import FakeGithub, FakeJira, FakeLinear, FakeTracker, serve

ROOT = Path(__file__).resolve().parent.parent
SECRET = "-".join(("hook", "test", "only"))
TOKEN = "-".join(("tracker", "test", "token"))
TRACKERS = """
[teams.it-access.tracker]
kind = "github"
repo = "acme/it-access"

[teams.billing.tracker]
kind = "jira"
project = "OPS"
issue_type = "Bug"

[teams.it-endpoint.tracker]
kind = "linear"
team = "ENG"
"""
DONE_AT, REOPENED_AT = "2026-12-02T10:00:00", "2026-12-03T08:00:00"


def _sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Kind:
    """One tracker: its fake, its team, its settings, and its webhook in the tracker's own shape."""

    name: str
    fake: Callable[[], FakeTracker]
    team: str
    env: Callable[[str], dict[str, Any]]
    webhook: Callable[[int, bool, str], tuple[bytes, dict[str, str]]]
    url: Callable[[FakeTracker, int], str]


def _github_hook(number: int, done: bool, at: str) -> tuple[bytes, dict[str, str]]:
    issue = {"number": number, "state": "closed" if done else "open",
             "state_reason": "completed" if done else "reopened", "closed_at": f"{at}Z" if done else None,
             "updated_at": f"{at}Z", "html_url": f"https://github.com/acme/it-access/issues/{number}"}
    body = json.dumps({"action": "closed" if done else "reopened", "issue": issue,
                       "repository": {"full_name": "acme/it-access"}, "sender": {"login": "octocat"}}).encode()
    return body, {"X-GitHub-Event": "issues", "X-Hub-Signature-256": f"sha256={_sign(body)}"}


def _jira_hook(number: int, done: bool, at: str) -> tuple[bytes, dict[str, str]]:
    category = {"id": 3, "key": "done", "name": "Done"} if done else {"id": 2, "key": "new", "name": "To Do"}
    fields = {"summary": "Fix", "status": {"name": category["name"], "statusCategory": category},
              "resolutiondate": f"{at}.000+0000" if done else None, "updated": f"{at}.000+0000"}
    body = json.dumps({"timestamp": 1764669600000, "webhookEvent": "jira:issue_updated",
                       "issue_event_type_name": "issue_generic",
                       "issue": {"id": str(10000 + number), "key": f"OPS-{number}", "fields": fields},
                       "changelog": {"items": [{"field": "status", "toString": category["name"]}]}}).encode()
    return body, {"X-Hub-Signature": f"sha256={_sign(body)}"}


def _linear_hook(number: int, done: bool, at: str) -> tuple[bytes, dict[str, str]]:
    data = {"id": f"uuid-{number}", "identifier": f"ENG-{number}", "title": "Fix",
            "state": {"type": "completed" if done else "started", "name": "Done" if done else "In Progress"},
            "completedAt": f"{at}.000Z" if done else None, "updatedAt": f"{at}.000Z"}
    body = json.dumps({"action": "update", "type": "Issue", "data": data, "updatedFrom": {"stateId": "s-1"},
                       "url": f"https://linear.app/acme/issue/ENG-{number}", "createdAt": f"{at}.000Z",
                       "webhookTimestamp": int(time.time() * 1000), "webhookId": "wh-1"}).encode()
    return body, {"Linear-Signature": _sign(body)}


KINDS = [
    Kind("github", FakeGithub, "it-access",
         lambda base: {"github_token": TOKEN, "github_api_url": base, "github_webhook_secret": SECRET},
         _github_hook, lambda f, n: f"https://github.com/acme/it-access/issues/{n}"),
    Kind("jira", FakeJira, "billing",
         lambda base: {"jira_base_url": base, "jira_email": "bot@example.com", "jira_api_token": TOKEN,
                       "jira_webhook_secret": SECRET},
         _jira_hook, lambda f, n: f"{f.base}/browse/OPS-{n}"),
    Kind("linear", FakeLinear, "it-endpoint",
         lambda base: {"linear_api_key": TOKEN, "linear_api_url": f"{base}/graphql", "linear_webhook_secret": SECRET},
         _linear_hook, lambda f, n: f"https://linear.app/acme/issue/ENG-{n}/fix"),
]


@dataclass
class World:
    kind: Kind
    fake: FakeTracker
    runtime: Runtime
    client: TestClient

    async def hook(self, number: int, done: bool, at: str, bad: bool = False) -> tuple[int, Any]:
        body, headers = self.kind.webhook(number, done, at)
        if bad:
            headers = {k: "sha256=" + "0" * 64 for k in headers if k != "X-GitHub-Event"} | {
                k: v for k, v in headers.items() if k == "X-GitHub-Event"}
        response = await self.client.post(f"/webhooks/{self.kind.name}", data=body,
                                          headers={"Content-Type": "application/json", **headers})
        return response.status, await response.json() if response.status in (200, 401) else None

    async def cause(self, key: str = "cause-1") -> Cause:
        found = await self.runtime.repos.causes.get(key)
        assert found is not None
        return found


@pytest_asyncio.fixture(params=KINDS, ids=lambda k: k.name)
async def world(request: pytest.FixtureRequest, engine, db_url: str, tmp_path: Path) -> AsyncIterator[World]:
    kind: Kind = request.param
    config = tmp_path / "fixloop.toml"
    config.write_text((ROOT / "fixloop.example.toml").read_text(encoding="utf-8") + TRACKERS, encoding="utf-8")
    with serve(kind.fake()) as fake:
        settings = Settings(database_url=db_url, fixloop_config=config, **kind.env(fake.base))
        runtime = await build_runtime(settings, load_indexes=False)
        client = TestClient(TestServer(create_app(runtime)))
        await client.start_server()
        try:
            yield World(kind, fake, runtime, client)
        finally:
            await client.close()


async def _seed(world: World, key: str = "cause-1", tickets: int = 2) -> None:
    repos = world.runtime.repos
    await repos.causes.save(Cause(key=key, title="Exports <b>time out</b> @here", owner=world.kind.team,
                                  root_cause="the 30 s proxy timeout; mail jane@example.com"))
    for i in range(tickets):
        await repos.tickets.add(Ticket(id=f"FX-{key[-1]}{i:05d}", surface=Surface.INTERNAL,
                                       created_at=datetime(2026, 11, 20 + i, 9, tzinfo=UTC), requester=f"emp-{i}",
                                       subject=f"export fails for jane{i}@example.com", cause_key=key))


async def test_files_the_fix_once_with_redacted_evidence_and_links_it(world: World):
    await _seed(world)
    first = await world.runtime.desk.file_fix_issue("cause-1", None)
    again = await world.runtime.desk.file_fix_issue("cause-1", None)
    assert first.new and not again.new and again.url == first.url == world.kind.url(world.fake, 1)
    assert len(world.fake.issues) == 1
    body = world.fake.issues[1].body
    assert "example.com" not in body and "EMAIL" in body  # personal data redacted
    assert "<b>" not in body and "@here" not in body  # markup and mentions escaped
    cause = await world.cause()
    assert (cause.fix_status, cause.fix_tracker, cause.fix_url) == (FixStatus.LINKED, world.kind.name, first.url)


async def test_a_signed_webhook_ships_the_fix_and_a_bad_signature_is_401_and_changes_nothing(world: World):
    await _seed(world)
    await world.runtime.desk.file_fix_issue("cause-1", None)
    status, _ = await world.hook(1, True, DONE_AT, bad=True)
    assert status == 401 and (await world.cause()).fix_status == FixStatus.LINKED
    status, body = await world.hook(1, True, DONE_AT)
    assert status == 200 and body["changed"] == ["cause-1"]
    cause = await world.cause()
    assert cause.fix_status == FixStatus.SHIPPED
    assert cause.fix_shipped_at == datetime.fromisoformat(DONE_AT).replace(tzinfo=UTC)
    told = await world.runtime.repos.tickets.list(cause_key="cause-1")
    assert all(t.fix_notified_at is not None for t in told)  # the requesters with open tickets were told


async def test_a_redelivery_has_no_second_effect_and_a_reopen_takes_the_cause_back_to_linked(world: World):
    await _seed(world)
    await world.runtime.desk.file_fix_issue("cause-1", None)
    assert (await world.hook(1, True, DONE_AT))[1]["changed"] == ["cause-1"]
    assert (await world.hook(1, True, DONE_AT))[1]["changed"] == []
    assert (await world.hook(1, False, REOPENED_AT))[1]["changed"] == ["cause-1"]
    assert (await world.hook(1, True, DONE_AT))[1]["changed"] == []  # older news, delivered late
    cause = await world.cause()
    assert cause.fix_status == FixStatus.LINKED and cause.fix_shipped_at is None
    actions = [e.action for e in await world.runtime.repos.audit.list() if e.cause_key == "cause-1"]
    assert actions == ["fix_filed", "fix_shipped", "fix_reopened"]  # the history is kept


async def test_a_webhook_for_an_issue_fixloop_does_not_know_is_200_and_ignored(world: World):
    status, body = await world.hook(99, True, DONE_AT)
    assert status == 200 and body["changed"] == []


async def test_link_fix_recognises_the_trackers_url_and_reads_its_state_from_then_on(world: World):
    await _seed(world)
    issue = world.fake.add("Filed by hand")
    cause = await world.runtime.desk.link_fix("cause-1", world.kind.url(world.fake, issue.number), "ana")
    assert cause.fix_tracker == world.kind.name
    assert (await world.hook(issue.number, True, DONE_AT))[1]["changed"] == ["cause-1"]


async def test_the_poll_reads_a_thousand_linked_issues_in_a_handful_of_requests(world: World):
    repos, n = world.runtime.repos, 1000
    for i in range(1, n + 1):
        issue = world.fake.add(f"issue {i}")
        if i % 2 == 0:
            issue.state = {"github": "closed", "jira": "done", "linear": "completed"}[world.kind.name]
            issue.state_reason = "completed" if world.kind.name == "github" else None
            issue.closed_at = {"jira": f"{DONE_AT}.000+0000"}.get(world.kind.name, f"{DONE_AT}Z")
        issue_id = {"github": f"acme/it-access#{i}", "jira": f"OPS-{i}", "linear": f"ENG-{i}"}[world.kind.name]
        await repos.causes.save(Cause(key=f"c-{i:04d}", title=f"cause {i}", owner=world.kind.team,
                                      fix_url=world.kind.url(world.fake, i), fix_status=FixStatus.LINKED,
                                      fix_tracker=world.kind.name, fix_issue=issue_id))
    world.fake.requests.clear()
    changed = await world.runtime.desk.poll_trackers()
    assert len(changed) == n // 2
    assert len(world.fake.requests) <= 12  # batched: 10 for GitHub and Jira, 4 for Linear, plus set-up
    again = await world.runtime.desk.poll_trackers()
    assert again == []  # nothing new: no second effect
    shipped = [c for c in await repos.causes.list() if c.fix_status == FixStatus.SHIPPED]
    assert len(shipped) == n // 2
