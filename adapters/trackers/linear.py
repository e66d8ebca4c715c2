"""Linear issues through its GraphQL API (httpx): create, comment, and 250 issue states per query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from adapters.trackers.errors import answered
from adapters.trackers.render import markdown
from core.errors import TrackerUnavailable
from core.trackers import IssueDraft, IssueRef, IssueState, TrackerKind

URL = "https://api.linear.app/graphql"
BATCH = 250  # Linear's largest page
TEAM = "query($key: String!) { teams(filter: {key: {eq: $key}}) { nodes { id } } }"
CREATE = (
    "mutation($input: IssueCreateInput!) { issueCreate(input: $input) "
    "{ success issue { id identifier url } } }"
)
STATES = (
    "query($team: String!, $numbers: [Float!]!, $first: Int!) { issues(filter: "
    "{team: {key: {eq: $team}}, number: {in: $numbers}}, first: $first) "
    "{ nodes { identifier completedAt updatedAt state { type } } } }"
)
ISSUE = "query($id: String!) { issue(id: $id) { id } }"
COMMENT = "mutation($input: CommentCreateInput!) { commentCreate(input: $input) { success } }"


class LinearTracker:
    """Linear's GraphQL API at `api_url`, with a personal API key."""

    kind = TrackerKind.LINEAR

    def __init__(self, api_key: str, api_url: str = URL, timeout: float = 15) -> None:
        self.api_url, self._key, self._timeout = api_url, api_key, timeout

    async def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        with answered("Linear"):
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                payload = {"query": query, "variables": variables}
                response = await client.post(self.api_url, json=payload, headers={"Authorization": self._key})
            response.raise_for_status()
        body = response.json()
        if body.get("errors"):
            message = str(body["errors"][0].get("message", "error"))[:200]
            raise TrackerUnavailable(f"Linear answered: {message}")
        return dict(body["data"])

    async def file_issue(self, project: str, draft: IssueDraft, issue_type: str | None = None) -> IssueRef:
        """Create an issue in the team with key `project`."""
        teams = (await self._query(TEAM, {"key": project}))["teams"]["nodes"]
        if not teams:
            raise TrackerUnavailable(f"Linear has no team with key {project}")
        created = await self._query(CREATE, {"input": {
            "teamId": teams[0]["id"], "title": draft.title, "description": markdown(draft)}})
        issue = created["issueCreate"]["issue"]
        return IssueRef(self.kind, str(issue["identifier"]), str(issue["url"]))

    async def states(self, project: str, issues: Sequence[str]) -> list[IssueState]:
        """States of many issues of one team, 250 per query."""
        numbers = [float(i.rsplit("-", 1)[1]) for i in issues]
        found: list[IssueState] = []
        for start in range(0, len(numbers), BATCH):
            chunk = numbers[start:start + BATCH]
            data = await self._query(STATES, {"team": project, "numbers": chunk, "first": len(chunk)})
            found += [state_of(node) for node in data["issues"]["nodes"]]
        return found

    async def comment(self, issue: str, draft: IssueDraft) -> None:
        """Comment on an issue by identifier ("ENG-42")."""
        found = (await self._query(ISSUE, {"id": issue}))["issue"]
        comment = {"issueId": found["id"], "body": markdown(draft, with_title=True)}
        await self._query(COMMENT, {"input": comment})


def state_of(node: dict[str, Any]) -> IssueState:
    """Done: the issue's workflow state is of type completed."""
    done = (node.get("state") or {}).get("type") == "completed"
    at = (node.get("completedAt") if done else None) or node.get("updatedAt")
    return IssueState(str(node["identifier"]), done, parse_time(str(at)))


def parse_time(value: str) -> datetime:
    """Linear's ISO 8601 time ("2026-12-01T10:00:00.000Z")."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
