"""Socket Mode: with SLACK_APP_TOKEN, events arrive over a WebSocket that Fixloop opens, not over HTTP.

A fake Slack on 127.0.0.1 answers `apps.connections.open` with a ws:// URL of its own, pushes an
`events_api` envelope down the socket as Slack does, and records the ack and the Web API calls.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from bot.commands import _slack_socket_mode
from bot.settings import Settings
from bot.wiring import build_runtime
from tests.fake_secrets import SLACK_APP_TOKEN, SLACK_BOT_TOKEN
from tests.slack_fake import ROOT, SECRET

EVENT = {
    "type": "message", "channel": "D0EMP", "channel_type": "im", "user": "U0EMPLOYEE",
    "text": "My VPN disconnects every few minutes", "ts": "1700000000.000900",
}


class SocketSlack:
    """The Web API methods Socket Mode needs, and a WebSocket endpoint that delivers one event."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.acks: list[dict[str, Any]] = []
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/ws", self._socket)
        self.server = TestServer(app, host="127.0.0.1")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        params = json.loads(raw) if raw and request.content_type == "application/json" else dict(request.query)
        self.calls.append((method, params))
        answers: dict[str, dict[str, Any]] = {
            "apps.connections.open": {"url": str(self.server.make_url("/ws")).replace("http", "ws", 1)},
            "auth.test": {"user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0ACME"},
            "chat.postMessage": {"channel": params.get("channel"), "ts": "1800000000.000001"},
        }
        return web.json_response({"ok": True, **answers.get(method, {})})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        await ws.send_json({
            "envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
            "payload": {"type": "event_callback", "team_id": "T0ACME", "api_app_id": "A0FIX",
                        "event_id": "Ev0SOCKET", "event_time": int(time.time()), "event": EVENT},
        })
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
        return ws


async def _until(check, within: float = 30) -> Any:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not (result := await check()):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
    return result


async def test_socket_mode_receives_an_event_acks_it_and_logs_one_ticket(db_url, engine):
    fake = SocketSlack()
    await fake.server.start_server()
    settings = Settings(database_url=db_url, fixloop_config=ROOT / "fixloop.example.toml",
                        slack_bot_token=SLACK_BOT_TOKEN, slack_signing_secret=SECRET,
                        slack_app_token=SLACK_APP_TOKEN, slack_api_url=str(fake.server.make_url("/api/")))
    runtime = await build_runtime(settings)
    runtime.start_background()  # as `fixloop serve` does: the outbox delivers the reply
    handler = await _slack_socket_mode(runtime)
    try:
        assert handler is not None
        assert any(m == "apps.connections.open" for m, _ in fake.calls)
        await _until(lambda: _async(fake.acks))
        assert fake.acks[0]["envelope_id"] == "env-1"
        ticket = await _until(lambda: runtime.desk.tickets.find_by_thread("slack:D0EMP:1700000000.000900"))
        assert ticket.text == EVENT["text"] and ticket.platform == "slack"
        # No article is loaded here, so the requester hears "a person will pick this up" in their thread.
        in_thread = await _until(lambda: _async([p for m, p in fake.calls if m == "chat.postMessage"
                                                 and p.get("channel") == "D0EMP"]))
        assert in_thread[0]["thread_ts"] == "1700000000.000900"
        assert await runtime.desk.tickets.count() == 1
    finally:
        if handler is not None:
            await handler.close_async()
        await runtime.close()
        await fake.server.close()


async def _async(value: Any) -> Any:
    return value
