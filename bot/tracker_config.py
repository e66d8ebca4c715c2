"""`[teams.<key>.tracker]` of fixloop.toml, and the tracker clients the environment's credentials allow."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from core.trackers import TrackerKind, Trackers, TrackerSetup

if TYPE_CHECKING:
    from bot.settings import Settings
    from core.ports import Tracker

KEYS = {TrackerKind.GITHUB: {"kind", "repo"}, TrackerKind.JIRA: {"kind", "project", "issue_type"},
        TrackerKind.LINEAR: {"kind", "team"}}
REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
PROJECT = re.compile(r"^[A-Z][A-Z0-9_]*$")


def tracker_setup(team: str, value: Any, where: str) -> TrackerSetup:
    """Check one team's tracker table; the message names the key of the first problem."""
    from bot.config import ConfigError

    name = f"{where}: teams.{team}.tracker"
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a table")
    try:
        kind = TrackerKind(str(value.get("kind", "")))
    except ValueError:
        raise ConfigError(f'{name}.kind must be "github", "jira" or "linear"') from None
    extra = set(value) - KEYS[kind]
    if extra:
        known = ", ".join(sorted(KEYS[kind]))
        raise ConfigError(f"{name}.{sorted(extra)[0]} is unknown for {kind} ({known})")
    field, pattern, example = {
        TrackerKind.GITHUB: ("repo", REPO, '"owner/name"'),
        TrackerKind.JIRA: ("project", PROJECT, '"OPS"'),
        TrackerKind.LINEAR: ("team", PROJECT, '"ENG"'),
    }[kind]
    project = value.get(field)
    if not isinstance(project, str) or not pattern.match(project):
        raise ConfigError(f"{name}.{field} must be like {example}")
    issue_type = value.get("issue_type")
    if issue_type is not None and (not isinstance(issue_type, str) or not issue_type.strip()):
        raise ConfigError(f"{name}.issue_type must be a non-empty string")
    return TrackerSetup(kind, project, issue_type)


def build_trackers(settings: Settings, setups: dict[str, TrackerSetup]) -> Trackers:
    """A client for each tracker kind whose credentials are set; the teams' setups beside them."""
    from adapters.trackers.github import GithubTracker
    from adapters.trackers.jira import JiraTracker
    from adapters.trackers.linear import LinearTracker

    clients: dict[str, Tracker] = {}
    if settings.github_token is not None:
        token = settings.github_token.get_secret_value()
        clients[TrackerKind.GITHUB] = GithubTracker(token, settings.github_api_url)
    if settings.jira_api_token is not None and settings.jira_base_url and settings.jira_email:
        clients[TrackerKind.JIRA] = JiraTracker(
            settings.jira_base_url, settings.jira_email, settings.jira_api_token.get_secret_value()
        )
    if settings.linear_api_key is not None:
        clients[TrackerKind.LINEAR] = LinearTracker(
            settings.linear_api_key.get_secret_value(), settings.linear_api_url
        )
    return Trackers(clients=clients, teams=dict(setups))
