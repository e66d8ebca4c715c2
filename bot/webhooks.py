"""POST /webhooks/github|jira|linear: a tracker says a fix shipped (or was reopened); signed, idempotent."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from adapters.trackers import webhooks as hooks
from bot.wiring import Runtime
from core.trackers import IssueState, TrackerKind

log = logging.getLogger("fixloop.webhooks")
Handler = Callable[[web.Request], Awaitable[web.Response]]


def register(app: web.Application, runtime: Runtime) -> None:
    """Add the webhook endpoint of every tracker whose webhook secret is set."""
    s = runtime.settings
    if s.github_webhook_secret is not None:
        app.router.add_post("/webhooks/github", _github(runtime, s.github_webhook_secret))
    if s.jira_webhook_secret is not None:
        app.router.add_post("/webhooks/jira", _jira(runtime, s.jira_webhook_secret))
    if s.linear_webhook_secret is not None:
        app.router.add_post("/webhooks/linear", _linear(runtime, s.linear_webhook_secret))


def _github(runtime: Runtime, secret: SecretStr) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if not hooks.verify_github(secret.get_secret_value(), body, request.headers):
            return _refused(TrackerKind.GITHUB)
        payload = _json(body)
        event = request.headers.get("X-GitHub-Event", "")
        return await _apply(runtime, TrackerKind.GITHUB, hooks.github_states(event, payload))

    return handle


def _jira(runtime: Runtime, secret: SecretStr) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if not hooks.verify_jira(secret.get_secret_value(), body, request.headers):
            return _refused(TrackerKind.JIRA)
        return await _apply(runtime, TrackerKind.JIRA, hooks.jira_states(_json(body)))

    return handle


def _linear(runtime: Runtime, secret: SecretStr) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        payload = _json(body)
        now = datetime.now(UTC)  # the replay window is against real time, whatever the desk's clock says
        if not hooks.verify_linear(secret.get_secret_value(), body, request.headers, payload, now):
            return _refused(TrackerKind.LINEAR)
        return await _apply(runtime, TrackerKind.LINEAR, hooks.linear_states(payload))

    return handle


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="The body is not JSON.") from None


def _refused(tracker: str) -> web.Response:
    log.warning("%s webhook refused: bad signature", tracker)
    return web.json_response({"error": "bad signature"}, status=401)


async def _apply(runtime: Runtime, tracker: str, states: list[IssueState]) -> web.Response:
    try:
        changed = await runtime.desk.apply_issue_states(tracker, states)
    except (ValueError, KeyError) as exc:  # a payload of the right shape but with a bad time or id
        why = type(exc).__name__
        raise web.HTTPBadRequest(text=f"Could not read the issue from the payload: {why}") from None
    return web.json_response({"ok": True, "changed": [c.key for c in changed]})
