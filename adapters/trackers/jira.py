"""Jira issues through the `jira` library: REST v2 create and comment, one JQL search per 100 issues."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jira import JIRA

from adapters.trackers.errors import answered
from adapters.trackers.render import jira_wiki
from core.trackers import IssueDraft, IssueRef, IssueState, TrackerKind

BATCH = 100  # issue keys per JQL `key in (...)`: short enough for any JQL length limit


class JiraTracker:
    """A Jira Cloud or Data Center site at `base_url`, with an account's e-mail and API token."""

    kind = TrackerKind.JIRA

    def __init__(self, base_url: str, email: str, token: str, timeout: int = 15) -> None:
        self.base_url, self._auth, self._timeout = base_url.rstrip("/"), (email, token), timeout
        self._client: JIRA | None = None
        self._lock = threading.Lock()

    def client(self) -> JIRA:
        """The JIRA client, made on first use (it asks the site for its server info)."""
        with self._lock:
            if self._client is None:
                self._client = JIRA(server=self.base_url, basic_auth=self._auth, timeout=self._timeout,
                                    max_retries=2)
            return self._client

    async def file_issue(self, project: str, draft: IssueDraft, issue_type: str | None = None) -> IssueRef:
        """Create an issue in the project (issue type from fixloop.toml, Task by default)."""
        fields = {
            "project": {"key": project},
            "summary": draft.title.replace("\n", " ")[:250],
            "description": jira_wiki(draft),
            "issuetype": {"name": issue_type or "Task"},
        }

        def create() -> IssueRef:
            with answered("Jira"):
                issue = self.client().create_issue(fields=fields)
            return IssueRef(self.kind, issue.key, f"{self.base_url}/browse/{issue.key}")

        return await asyncio.to_thread(create)

    async def states(self, project: str, issues: Sequence[str]) -> list[IssueState]:
        """Status categories of many issues, 100 per JQL search."""
        found: list[IssueState] = []
        for start in range(0, len(issues), BATCH):
            found += await asyncio.to_thread(self._batch, issues[start:start + BATCH])
        return found

    def _batch(self, keys: Sequence[str]) -> list[IssueState]:
        jql = f"key in ({', '.join(keys)})"
        with answered("Jira"):
            data = self.client().search_issues(
                jql, maxResults=len(keys), fields=["status", "resolutiondate", "updated"], json_result=True
            )
        return [state_of(raw) for raw in data.get("issues", [])]

    async def comment(self, issue: str, draft: IssueDraft) -> None:
        """Comment on an issue by key."""
        def post() -> None:
            with answered("Jira"):
                self.client().add_comment(issue, jira_wiki(draft, with_title=True))

        await asyncio.to_thread(post)


def state_of(raw: dict[str, Any]) -> IssueState:
    """Done: the issue's status is in the done category."""
    fields = raw.get("fields") or {}
    category = ((fields.get("status") or {}).get("statusCategory") or {}).get("key")
    done = category == "done"
    at = (fields.get("resolutiondate") if done else None) or fields.get("updated")
    return IssueState(str(raw["key"]), done, parse_time(str(at)))


def parse_time(value: str) -> datetime:
    """Jira's time ("2026-12-01T10:00:00.000+0000"), as an aware datetime."""
    value = value.strip().replace("Z", "+00:00")
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = f"{value[:-2]}:{value[-2:]}"  # +0000 -> +00:00
    found = datetime.fromisoformat(value)
    if found.utcoffset() is None:
        raise ValueError(f"{value!r} has no offset")
    return found
