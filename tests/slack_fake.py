"""A fake Slack Web API on 127.0.0.1 that records every call, and a harness driving Fixloop over signed HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from tests.fake_secrets import SLACK_BOT_TOKEN
from tests.fakes import sample_articles

ROOT = Path(__file__).resolve().parent.parent
SECRET = "fake-signing-secret-for-tests"
BOT_USER, BOT_ID, TEAM = "U0BOT", "B0BOT", "T0ACME"
ANA, MIA, LEA, EMPLOYEE = "U0ANA", "U0MIA", "U0LEA", "U0EMP"  # agent, manager, leader, nobody special


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] = field(default_factory=dict)  # what the fake answered (e.g. a posted ts)


@dataclass
class Fault:
    status: int
    headers: dict[str, str]
    times: int


class FakeSlack:
    """Answers Web API methods like Slack does, records each call, and fails on request (429, 500)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, Fault] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> message
        self.uploads: dict[str, bytes] = {}  # file id -> bytes sent to the upload URL
        self.posted: list[dict[str, Any]] = []  # every message chat.postMessage stored, as Slack keeps it
        self.slow: dict[str, tuple[float, int]] = {}  # method -> (seconds to hold the answer, times)
        self.channels: dict[str, dict[str, Any]] = {}  # channel id -> what conversations.info tells of it
        self._ts = itertools.count(1)
        self.server = TestServer(self._app(), host="127.0.0.1")

    @property
    def url(self) -> str:
        """The base URL of the fake Web API (SLACK_API_URL)."""
        return str(self.server.make_url("/api/"))

    def response_url(self, key: str = "r") -> str:
        """A response_url that lands here."""
        return str(self.server.make_url(f"/response/{key}"))

    def fail(self, method: str, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next `times` calls of a method with an HTTP error."""
        self.faults[method] = Fault(status, {k.replace("_", "-"): v for k, v in headers.items()}, times)

    def stall(self, method: str, seconds: float, times: int = 1) -> None:
        """Do the next `times` calls of a method, but answer only after `seconds` (a timeout that posted)."""
        self.slow[method] = (seconds, times)

    def delivered(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """The parameters of the calls that Slack carried out (not the ones answered with an error)."""
        return [c.params for c in self.calls if c.method == method and c.answer.get("ok")]

    def answered(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """What the fake answered to the recorded call with these parameters."""
        return next(c.answer for c in self.calls if c.method == method and c.params is params)

    def of(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every recorded call of a method."""
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        within: float = 30,
        where: Callable[[dict[str, Any]], bool] = lambda _: True,
    ) -> list[dict[str, Any]]:
        """Wait until `count` calls of a method match; the listener work runs after the ack."""
        deadline = time.monotonic() + within
        while True:
            found = [p for p in self.of(method) if where(p)]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, (
                    f"{method}: {len(found)} of {count} calls; all calls: {self.calls}"
                )
                return found
            await asyncio.sleep(0.02)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_post("/upload/{file_id}", self._upload)
        return app

    async def _upload(self, request: web.Request) -> web.Response:
        # files_upload_v2 posts the bytes to the URL files.getUploadURLExternal handed out.
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            params.update(json.loads(raw))
        elif raw:
            params.update(dict(parse_qsl(raw)))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(Call(method, await self._params(request)))
        fault = self.faults.get(method)
        if fault and fault.times > 0:
            fault.times -= 1
            return web.Response(status=fault.status, headers=fault.headers, text="fault injected")
        call = self.calls[-1]
        call.answer = {"ok": True, **self._answer(method, call.params)}
        seconds, times = self.slow.get(method, (0.0, 0))
        if times > 0:
            self.slow[method] = (seconds, times - 1)
            await asyncio.sleep(seconds)  # done, but the caller may give up waiting for the answer
        return web.json_response(call.answer)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "team_id": TEAM,
                "user": "fixloop",
                "team": "Acme",
                "url": "https://acme.slack.com/",
            }
        if method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
            ts = f"1800000000.{next(self._ts):06d}"
            if method == "chat.postMessage":
                meta = params.get("metadata")
                self.posted.append(
                    {
                        "channel": params.get("channel"),
                        "ts": ts,
                        "thread_ts": params.get("thread_ts") or None,
                        "text": params.get("text"),
                        "metadata": json.loads(meta) if isinstance(meta, str) else meta,
                    }
                )
            return {"channel": params.get("channel"), "ts": ts, "message_ts": ts}
        if method == "chat.getPermalink":
            channel, ts = str(params.get("channel")), str(params.get("message_ts"))
            return {"channel": channel, "permalink": f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"}
        if method in ("conversations.history", "conversations.replies"):
            key = (params.get("channel"), params.get("latest") or params.get("ts"))
            if key in self.messages:
                return {"messages": [self.messages[key]]}
            return {"messages": self._conversation(method, params)}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):06d}"
            return {"upload_url": str(self.server.make_url(f"/upload/{file_id}")), "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {"files": [{"id": f["id"], "title": f.get("title")} for f in json.loads(params["files"])]}
        if method in ("views.open", "views.publish"):
            return {"view": {"id": f"V{next(self._ts):06d}", **(params.get("view") or {})}}
        if method == "conversations.info":
            channel = str(params.get("channel"))
            return {"channel": {"id": channel, "is_ext_shared": False, **self.channels.get(channel, {})}}
        return {}

    def _conversation(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Messages Fixloop posted: a thread's replies, or a channel's top level; metadata only if asked."""
        channel, root = params.get("channel"), params.get("ts")
        found = [
            dict(m)
            for m in self.posted
            if m["channel"] == channel and (m["thread_ts"] == root if method == "conversations.replies" else True)
        ]
        if str(params.get("include_all_metadata", "")).lower() not in ("1", "true"):
            for m in found:
                m.pop("metadata", None)
        return found

    async def _response(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await self._params(request)))
        return web.Response(text="ok")


def event_callback(event: dict[str, Any], event_id: str, **envelope: Any) -> dict[str, Any]:
    """An Events API callback as Slack sends it, around one event (and any other envelope fields)."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0FIX",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        **envelope,
        "event": event,
    }


def signature(body: str, timestamp: int, secret: str = SECRET) -> str:
    """X-Slack-Signature: v0= HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


async def send(session: aiohttp.ClientSession, base: str, body: str, retry: int) -> bool:
    """POST a signed event to a running `fixloop serve` (a retry when `retry`); True when acknowledged 2xx."""
    ts = int(time.time())
    headers = {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, ts),
        "Content-Type": "application/json",
    }
    if retry:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"}
    try:
        async with session.post(f"{base}/slack/events", data=body.encode(), headers=headers) as response:
            return 200 <= response.status < 300
    except (TimeoutError, aiohttp.ClientError):
        return False


class Harness:
    """Fixloop's real aiohttp server with the Slack app mounted, talking to a FakeSlack."""

    def __init__(self, fake: FakeSlack, client: TestClient, runtime: Runtime) -> None:
        self.fake, self.client, self.runtime = fake, client, runtime
        self._event_ids = itertools.count(1)
        self._view_ids = itertools.count(1)

    @property
    def desk(self):  # type: ignore[no-untyped-def]
        return self.runtime.desk

    async def handling(self) -> Runtime:
        """The runtime that handles stored events: the worker thread's (inline intake), once it runs."""
        worker = self.runtime.worker
        if worker is None or self.runtime.settings.fixloop_intake != "inline":
            return self.runtime
        await asyncio.to_thread(worker.ready.wait, 30)
        assert worker.runtime is not None, "the worker thread did not start"
        return worker.runtime  # type: ignore[return-value]

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ):  # type: ignore[no-untyped-def]
        """POST a body to /slack/events, signed the way Slack signs it."""
        ts = int(time.time()) if timestamp is None else timestamp
        signed = {
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature(body, ts, secret),
            "Content-Type": content_type,
            **(headers or {}),
        }
        return await self.client.post("/slack/events", data=body.encode(), headers=signed)

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **envelope: Any
    ):  # type: ignore[no-untyped-def]
        """Deliver an Events API callback (optionally as Slack's retry of an earlier delivery)."""
        event_id = event_id or f"Ev{next(self._event_ids):08d}"
        body = event_callback(event, event_id, **{"is_ext_shared_channel": False, **envelope})
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(json.dumps(body), "application/json", headers=headers)

    async def interact(self, payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Deliver an interactivity payload (button, shortcut, view submission)."""
        payload = {"team": {"id": TEAM}, "api_app_id": "A0FIX", "token": "legacy", **payload}
        return await self.post(
            urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )

    async def command(
        self, command: str, text: str, user: str, channel: str = "C0TRIAGE", trigger: str | None = None
    ):  # type: ignore[no-untyped-def]
        """Deliver a slash command (Slack gives each invocation its own trigger_id; `trigger` sets it)."""
        form = {
            "command": command,
            "text": text,
            "user_id": user,
            "channel_id": channel,
            "team_id": TEAM,
            "trigger_id": trigger or f"trig.{command}",
            "response_url": self.fake.response_url(command.strip("/")),
            "api_app_id": "A0FIX",
            "token": "legacy",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def click(
        self,
        button: dict[str, Any],
        user: str,
        message: dict[str, Any] | None = None,
        channel: str = "C0TRIAGE",
    ):  # type: ignore[no-untyped-def]
        """Click a button Fixloop rendered, on the message that carried it."""
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "block_id": "fixloop.actions",
            "value": button.get("value", ""),
            "action_ts": "1800000000.1",
        }
        return await self.interact(
            {
                "type": "block_actions",
                "user": {"id": user},
                "trigger_id": "trig.button",
                "channel": {"id": channel},
                "container": {"type": "message"},
                "message": message or {"ts": "1800000000.000001", "blocks": []},
                "response_url": self.fake.response_url("button"),
                "actions": [action],
            }
        )

    async def submit(
        self, view: dict[str, Any], user: str, values: dict[str, dict[str, Any]], view_id: str | None = None
    ):  # type: ignore[no-untyped-def]
        """Submit a modal Fixloop opened, with values per block id (a new modal each time unless view_id)."""
        state = {"values": {block: {block: element} for block, element in values.items()}}
        view_id = view_id or view.get("id") or f"VSUB{next(self._view_ids):06d}"
        return await self.interact(
            {"type": "view_submission", "user": {"id": user}, "view": {**view, "id": view_id, "state": state}}
        )

    async def eventually(self, check: Callable[[], Any], within: float = 30) -> Any:
        """Poll an async check until it returns something truthy."""
        deadline = time.monotonic() + within
        while True:
            result = await check()
            if result or time.monotonic() > deadline:
                assert result, "condition not met in time"
                return result
            await asyncio.sleep(0.02)


def slack_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    """Settings with Slack on, pointed at the fake Web API (plus any other settings given)."""
    return Settings(
        database_url=database_url,
        slack_bot_token=SLACK_BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
        **{"fixloop_config": ROOT / "fixloop.example.toml", **overrides},
    )


async def start_fixloop(database_url: str, fake: FakeSlack, **overrides: Any) -> Harness:
    """Build the runtime and the real aiohttp app (a fresh process, as far as Fixloop can tell)."""
    runtime = await build_runtime(slack_settings(database_url, fake, **overrides))
    for article in sample_articles():
        await runtime.repos.articles.save(article)
    await runtime.desk.refresh()
    client = TestClient(TestServer(create_app(runtime), host="127.0.0.1"))
    await client.start_server()
    return Harness(fake, client, runtime)


@asynccontextmanager
async def harness(database_url: str, **overrides: Any) -> AsyncIterator[Harness]:
    """A fake Slack and a running Fixloop, closed afterwards."""
    fake = FakeSlack()
    await fake.server.start_server()
    h = await start_fixloop(database_url, fake, **overrides)
    try:
        yield h
    finally:
        await h.client.close()
        await fake.server.close()


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every button in a message or view, by action id (the first of each)."""
    found: dict[str, dict[str, Any]] = {}
    for block in blocks:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button":
                found.setdefault(element["action_id"], element)
    return found


def text_of(params: dict[str, Any]) -> str:
    """All the text of a posted message or view, for assertions."""
    return json.dumps(params.get("blocks") or params.get("view") or []) + str(params.get("text", ""))
