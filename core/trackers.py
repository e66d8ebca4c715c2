"""Fixes in the owner's tracker: issue references, issue states, the drafts Fixloop files, and URL parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from core.ports import Tracker


class TrackerKind(StrEnum):
    GITHUB = "github"
    JIRA = "jira"
    LINEAR = "linear"


@dataclass(frozen=True)
class IssueRef:
    """One tracker issue: which tracker, its id there ("acme/app#12", "OPS-7", "ENG-42"), its web URL."""

    tracker: str
    issue: str
    url: str


@dataclass(frozen=True)
class IssueState:
    """What a tracker says of an issue: done (the fix shipped) or not, and when that became so."""

    issue: str
    done: bool
    at: datetime


@dataclass(frozen=True)
class Item:
    """One line of an issue draft: text (a person may have written it), optionally a link Fixloop built."""

    text: str
    url: str | None = None


@dataclass(frozen=True)
class IssueDraft:
    """What Fixloop writes to a tracker, format-neutral: each adapter renders and escapes it."""

    title: str
    intro: tuple[str, ...] = ()
    sections: tuple[tuple[str, tuple[Item, ...]], ...] = ()


@dataclass(frozen=True)
class TrackerSetup:
    """A team's tracker from fixloop.toml: its kind and where its issues go."""

    kind: TrackerKind
    project: str  # GitHub "owner/name", Jira project key, Linear team key
    issue_type: str | None = None  # Jira only


@dataclass
class Trackers:
    """The configured trackers: one client per kind, and each owning team's setup."""

    clients: dict[str, Tracker] = field(default_factory=dict)
    teams: dict[str, TrackerSetup] = field(default_factory=dict)

    def for_team(self, team: str | None) -> tuple[Tracker, TrackerSetup] | None:
        """The tracker client and setup of a team, or None when it has none (or no credentials)."""
        setup = self.teams.get(team or "")
        client = self.clients.get(str(setup.kind)) if setup else None
        return (client, setup) if client is not None and setup is not None else None


GITHUB_PATH = re.compile(r"^/([\w.-]+)/([\w.-]+)/(?:issues|pull)/(\d+)/?$")
JIRA_PATH = re.compile(r"^/browse/([A-Z][A-Z0-9_]+-\d+)/?$")
LINEAR_PATH = re.compile(r"^/[\w-]+/issue/([A-Z][A-Z0-9]*-\d+)(?:/[\w-]*)?/?$")


def parse_issue_url(url: str) -> IssueRef | None:
    """The tracker issue a GitHub, Jira or Linear URL names, or None for any other link."""
    parts = urlsplit(url.strip())
    host, path = (parts.hostname or "").lower(), parts.path
    if host == "linear.app" and (m := LINEAR_PATH.match(path)):
        return IssueRef(TrackerKind.LINEAR, m.group(1), url.strip())
    if (m := JIRA_PATH.match(path)) is not None:
        return IssueRef(TrackerKind.JIRA, m.group(1), url.strip())
    if "github" in host and (m := GITHUB_PATH.match(path)):
        return IssueRef(TrackerKind.GITHUB, f"{m.group(1)}/{m.group(2)}#{m.group(3)}", url.strip())
    return None


def project_of(issue: str) -> str:
    """The project an issue id belongs to: "acme/app" of "acme/app#12", "OPS" of "OPS-7"."""
    if "#" in issue:
        return issue.rsplit("#", 1)[0]
    return issue.rsplit("-", 1)[0]
