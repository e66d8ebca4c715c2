"""POST /slack/events: the signature, then the shape; event callbacks to the intake, the rest to Bolt.

Nothing is parsed before the signature is checked, so an unsigned body costs one HMAC and a 401.
Event callbacks are stored and acknowledged here (Bolt's dispatch costs more than the insert, and
handling runs elsewhere); interactivity and slash commands go to Bolt, which answers them while Slack
waits (and checks the signature again, as it is designed to).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.intake import Intake
from adapters.slack import shapes
from adapters.slack.intake import from_the_bot, key_of

log = logging.getLogger("fixloop.slack")


def http_handler(
    app: AsyncApp, intake: Intake | None, signing_secret: str
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for POST /slack/events."""
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        headers = request.headers
        if not _signed(verifier, raw, headers):
            log.warning("refused a Slack request whose signature or timestamp is invalid")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            body = shapes.parse(raw, request.content_type)
        except shapes.BadShape as exc:
            log.warning("refused a signed Slack request: %s", exc)
            return web.json_response({"error": f"not a Slack request Fixloop takes: {exc}"}, status=400)
        key = key_of(body)
        if key is not None and intake is not None:
            return await _receive(intake, key, raw, body)
        answer = await app.async_dispatch(
            AsyncBoltRequest(body=raw.decode(), query=request.query_string, headers=_lists(headers))
        )
        return await to_aiohttp_response(answer)

    return handle


def _signed(verifier: SignatureVerifier, raw: bytes, headers: Any) -> bool:
    """Whether Slack signed this body, recently (a missing or non-numeric timestamp is not signed)."""
    timestamp, signature = headers.get("X-Slack-Request-Timestamp", ""), headers.get("X-Slack-Signature", "")
    return timestamp.isdigit() and bool(signature) and verifier.is_valid(raw, timestamp, signature)


async def _receive(intake: Intake, key: str, raw: bytes, body: dict[str, Any]) -> web.StreamResponse:
    """Store an event callback and acknowledge it; 503 (Slack redelivers) when the database is away."""
    if from_the_bot(body):
        return web.Response(status=200)  # Fixloop's own posts come back as events: nothing to store
    if await intake.receive(key, raw.decode()):
        return web.Response(status=200)
    return web.json_response(
        {"error": "database unavailable; retry"}, status=503, headers={"Retry-After": "5"}
    )


def _lists(headers: Any) -> dict[str, str | Sequence[str]]:
    """aiohttp's headers as Bolt reads them: lower-case names, each with its list of values."""
    found: dict[str, list[str]] = {}
    for name, value in headers.items():
        found.setdefault(name.lower(), []).append(value)
    return dict(found)
