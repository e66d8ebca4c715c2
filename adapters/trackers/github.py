"""GitHub issues through PyGithub: file with REST, read many states with one GraphQL query per 100 issues."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.trackers.errors import answered
from adapters.trackers.render import markdown
from core.trackers import IssueDraft, IssueRef, IssueState, TrackerKind

BATCH = 100  # aliases per GraphQL query: well inside GitHub's node limits
FIELDS = (
    "... on Issue { state stateReason closedAt updatedAt } "
    "... on PullRequest { state mergedAt closedAt updatedAt }"
)


class GithubTracker:
    """The GitHub (or GitHub Enterprise) REST and GraphQL APIs at `base_url`, with a token."""

    kind = TrackerKind.GITHUB

    def __init__(self, token: str, base_url: str = "https://api.github.com", timeout: int = 15) -> None:
        from github import Auth, Github  # PyGithub (0.2 s): built at start, only when GitHub is configured

        # lazy: repositories and issues are not fetched before they are written to
        self.client = Github(
            auth=Auth.Token(token), base_url=base_url.rstrip("/"), timeout=timeout, per_page=100, lazy=True
        )

    async def file_issue(self, project: str, draft: IssueDraft, issue_type: str | None = None) -> IssueRef:
        """Create an issue in the repository `owner/name`."""
        def create() -> IssueRef:
            with answered("GitHub"):
                return self._create(project, draft)

        return await asyncio.to_thread(create)

    def _create(self, project: str, draft: IssueDraft) -> IssueRef:
        repo = self.client.get_repo(project)
        issue = repo.create_issue(title=draft.title, body=markdown(draft))
        return IssueRef(self.kind, f"{project}#{issue.number}", issue.html_url)

    async def states(self, project: str, issues: Sequence[str]) -> list[IssueState]:
        """Issue and pull request states, up to 100 per GraphQL request."""
        numbers = [int(i.rsplit("#", 1)[1]) for i in issues]
        found: list[IssueState] = []
        for start in range(0, len(numbers), BATCH):
            found += await asyncio.to_thread(self._batch, project, numbers[start:start + BATCH])
        return found

    def _batch(self, project: str, numbers: Sequence[int]) -> list[IssueState]:
        owner, name = project.split("/", 1)
        aliases = " ".join(f"i{n}: issueOrPullRequest(number: {n}) {{ {FIELDS} }}" for n in numbers)
        query = (f"query($owner: String!, $name: String!) "
                 f"{{ repository(owner: $owner, name: $name) {{ {aliases} }} }}")
        with answered("GitHub"):
            _, data = self.client.requester.graphql_query(query, {"owner": owner, "name": name})
        repo = data["data"]["repository"] or {}
        return [state_of(f"{project}#{n}", repo[f"i{n}"]) for n in numbers if repo.get(f"i{n}")]

    async def comment(self, issue: str, draft: IssueDraft) -> None:
        """Comment on `owner/name#number`."""
        project, number = issue.rsplit("#", 1)

        def post() -> None:
            with answered("GitHub"):
                issue = self.client.get_repo(project).get_issue(int(number))
                issue.create_comment(markdown(draft, with_title=True))

        await asyncio.to_thread(post)


def state_of(issue: str, node: dict[str, Any]) -> IssueState:
    """Done: an issue closed as completed, or a merged pull request."""
    if "mergedAt" in node:
        done = node.get("mergedAt") is not None
        at = node.get("mergedAt") or node.get("updatedAt")
    else:
        done = node.get("state") == "CLOSED" and node.get("stateReason") in (None, "COMPLETED")
        at = node.get("closedAt") if done else node.get("updatedAt")
    return IssueState(issue, done, parse_time(str(at)))


def parse_time(value: str) -> datetime:
    """GitHub's ISO 8601 UTC time ("2026-12-01T10:00:00Z")."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
