"""A tracker that records what it was asked to file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from core.trackers import IssueDraft, IssueRef, IssueState

SHIPPED = datetime(2026, 11, 2, tzinfo=UTC)


class RecordingTracker:
    """A Tracker that keeps what it was asked (the adapters are tested against fake servers elsewhere)."""

    def __init__(self) -> None:
        self.comments: list[tuple[str, IssueDraft]] = []
        self.asked: list[tuple[str, list[str]]] = []

    async def file_issue(self, project: str, draft: IssueDraft, issue_type: str | None = None) -> IssueRef:
        return IssueRef("github", f"{project}#1", f"https://github.com/{project}/issues/1")

    async def states(self, project: str, issues: Sequence[str]) -> list[IssueState]:
        self.asked.append((project, list(issues)))
        return [IssueState(i, True, SHIPPED) for i in issues]

    async def comment(self, issue: str, draft: IssueDraft) -> None:
        self.comments.append((issue, draft))
