"""Tracker webhooks: verify each tracker's signature over the raw body, then read issue states from it.

GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. Jira (admin webhooks with a secret):
`X-Hub-Signature: sha256=<hex>`, the same WebSub form. Linear: `Linear-Signature: <hex HMAC-SHA256 of the
body>`, and the body's `webhookTimestamp` (milliseconds) within a minute of now, against replays.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.trackers import github, jira, linear
from core.trackers import IssueState

REPLAY_WINDOW_MS = 60_000
CLOSES = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+(?:([\w.-]+/[\w.-]+))?#(\d+)", re.IGNORECASE
)


def _hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """GitHub's X-Hub-Signature-256, compared in constant time."""
    return hmac.compare_digest(headers.get("X-Hub-Signature-256", ""), "sha256=" + _hex(secret, body))


def verify_jira(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Jira's X-Hub-Signature (method=signature, sha256), compared in constant time."""
    return hmac.compare_digest(headers.get("X-Hub-Signature", ""), "sha256=" + _hex(secret, body))


def verify_linear(secret: str, body: bytes, headers: Mapping[str, str], payload: Any, now: datetime) -> bool:
    """Linear's Linear-Signature, and a webhookTimestamp within a minute of now."""
    if not hmac.compare_digest(headers.get("Linear-Signature", ""), _hex(secret, body)):
        return False
    stamp = payload.get("webhookTimestamp") if isinstance(payload, dict) else None
    return isinstance(stamp, int | float) and abs(now.timestamp() * 1000 - stamp) <= REPLAY_WINDOW_MS


def github_states(event: str, payload: Any) -> list[IssueState]:
    """Issue states from an `issues` or `pull_request` event (a merged pull request closes what it names)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("repository"), dict):
        return []
    repo = str(payload["repository"].get("full_name", ""))
    if event == "issues" and payload.get("action") in ("closed", "reopened"):
        issue = payload.get("issue") or {}
        node = {"state": str(issue.get("state", "")).upper(),
                "stateReason": _upper(issue.get("state_reason")),
                "closedAt": issue.get("closed_at"),
                "updatedAt": issue.get("updated_at")}
        return [github.state_of(f"{repo}#{issue.get('number')}", node)]
    pull = payload.get("pull_request") or {}
    if event != "pull_request" or payload.get("action") != "closed" or not pull.get("merged_at"):
        return []
    merged = github.parse_time(str(pull["merged_at"]))
    named = {f"{repo}#{pull.get('number')}"} | {
        f"{m.group(1) or repo}#{m.group(2)}" for m in CLOSES.finditer(str(pull.get("body") or ""))
    }
    return [IssueState(issue, True, merged) for issue in sorted(named)]


def _upper(value: Any) -> str | None:
    return str(value).upper() if value else None


def jira_states(payload: Any) -> list[IssueState]:
    """The issue's state from a `jira:issue_updated` (or created) event."""
    if not isinstance(payload, dict) or not isinstance(payload.get("issue"), dict):
        return []
    issue = payload["issue"]
    fields = issue.get("fields") or {}
    if not fields.get("updated") and isinstance(payload.get("timestamp"), int):
        fields = {**fields, "updated": datetime.fromtimestamp(payload["timestamp"] / 1000).astimezone()
                  .strftime("%Y-%m-%dT%H:%M:%S.000%z")}
    return [jira.state_of({"key": issue.get("key"), "fields": fields})]


def linear_states(payload: Any) -> list[IssueState]:
    """The issue's state from a Linear `Issue` event."""
    if not isinstance(payload, dict) or payload.get("type") != "Issue":
        return []
    if not isinstance(payload.get("data"), dict):
        return []
    return [linear.state_of(payload["data"])]
