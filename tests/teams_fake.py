"""A fake Bot Connector on 127.0.0.1, a local OpenID/JWKS key server, and a harness driving Fixloop over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.teams.config import Endpoints
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from tests.fakes import sample_articles

ROOT = Path(__file__).resolve().parent.parent
APP_ID, TENANT = "6f1c2d3e-0000-4000-8000-00000000f1f1", "72f988bf-0000-4000-8000-000000000001"
ISSUER, SCOPE = "https://api.botframework.com", "https://api.botframework.com"
BOT = {"id": f"28:{APP_ID}", "name": "Fixloop"}
ANA, MIA, LEA, EMP = (f"{c * 8}-0000-4000-8000-{c * 12}" for c in "abcd")  # agent, manager, leader, anyone
NAMES = {ANA: "Ana Souza", MIA: "Mia Tanaka", LEA: "Lea Moreau", EMP: "Eve Employee"}
TRIAGE, NETWORK, LEADERS = "19:triage@thread.tacv2", "19:network@thread.tacv2", "19:leaders@thread.tacv2"
DM = "a:1emp-personal-chat"


class KeyServer:
    """OpenID metadata and a JWKS with one RS256 key, served from a thread: botbuilder fetches them blocking."""

    def __init__(self) -> None:
        self.key, self.kid = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "fixloop-test-key",
        )
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {
            "keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]}]
        }
        self.realm = uuid.uuid4().hex
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The OpenID metadata URL."""
        # A path of its own: botbuilder caches keys per metadata URL for a day, and ports get reused.
        return f"http://127.0.0.1:{self.server.server_port}/{self.realm}/.well-known/openidconfiguration"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                port = outer.server.server_port
                body = (
                    outer.jwks
                    if self.path.endswith("/keys")
                    else {
                        "issuer": ISSUER,
                        "jwks_uri": f"http://127.0.0.1:{port}/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                )
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def sign(self, key: Any = None, kid: str | None = None, **claims: Any) -> str:
        """A Bot Framework token for APP_ID, valid for an hour; any claim can be overridden."""
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": APP_ID,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def __enter__(self) -> KeyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class LocalCredentials(ServiceClientCredentialsFactory):
    """The bot's outbound credentials, issued by the local key server instead of Microsoft Entra."""

    def __init__(self, keys: KeyServer) -> None:
        self.keys = keys

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ):  # type: ignore[no-untyped-def]
        keys = self.keys

        class Token(AppCredentials):
            def get_access_token(self, force_refresh: bool = False) -> str:
                return keys.sign(aud=SCOPE, appid=APP_ID)

        return Token(app_id=app_id, oauth_scope=oauth_scope)


@dataclass
class Call:
    kind: str  # "send", "reply", "update", "create"
    conversation: str
    body: dict[str, Any]
    activity_id: str | None = None
    auth: str = ""
    at: float = field(default_factory=time.monotonic)


class FakeConnector:
    """The Bot Connector REST API (v3) as Teams serves it: records sends, replies, updates, new conversations."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._ids = itertools.count(1)
        self.server = TestServer(self._app(), host="127.0.0.1")

    @property
    def url(self) -> str:
        """The serviceUrl activities carry."""
        return str(self.server.make_url("/"))

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        return app

    async def _record(self, request: web.Request, kind: str) -> Call:
        call = Call(
            kind,
            request.match_info.get("cid", ""),
            await request.json(),
            request.match_info.get("aid"),
            request.headers.get("Authorization", ""),
        )
        self.calls.append(call)
        return call

    async def _send(self, request: web.Request) -> web.Response:
        call = await self._record(request, "reply" if "aid" in request.match_info else "send")
        return web.json_response({"id": f"{call.conversation}|{next(self._ids)}"})

    async def _update(self, request: web.Request) -> web.Response:
        call = await self._record(request, "update")
        return web.json_response({"id": call.activity_id})

    async def _create(self, request: web.Request) -> web.Response:
        await self._record(request, "create")
        return web.json_response({"id": f"a:new-{next(self._ids)}", "activityId": "1"})

    def posted(self, where: Callable[[Call], bool] = lambda _: True) -> list[Call]:
        """Messages the bot sent (new or in reply), matching a test."""
        return [c for c in self.calls if c.kind in ("send", "reply") and where(c)]

    async def wait_for(
        self, kind: str, count: int = 1, where: Callable[[Call], bool] = lambda _: True, within: float = 30
    ) -> list[Call]:
        """Wait until `count` calls of a kind ("posted" for send or reply) match."""
        deadline = time.monotonic() + within
        while True:
            found = [
                c
                for c in self.calls
                if (c.kind == kind or (kind == "posted" and c.kind in ("send", "reply"))) and where(c)
            ]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{kind}: {len(found)} of {count}; calls: {self.calls}"
                return found
            await asyncio.sleep(0.02)


def config_file(folder: Path, extra: str = "") -> Path:
    """fixloop.example.toml with Teams ids for the people and the network and triage teams (and `extra`)."""
    text = (ROOT / "fixloop.example.toml").read_text() + extra
    for key, who in (("ana", ANA), ("mia", MIA), ("lea", LEA)):
        text = text.replace(f"[people.{key}]\n", f'[people.{key}]\nteams = "{who}"\n')
    text = text.replace("[teams.it-network]\n", f'[teams.it-network]\nteams = "{NETWORK}"\n')
    text = text.replace("[teams.tier1]\n", f'[teams.tier1]\nteams = "{TRIAGE}"\n')
    path = folder / "fixloop.toml"
    path.write_text(text)
    return path


def account(user: str) -> dict[str, str]:
    """The `from` of a Teams user."""
    return {"id": f"29:{user[:8]}", "aadObjectId": user, "name": NAMES.get(user, "Someone")}


def message(
    text: str, user: str = EMP, conversation: str = DM, kind: str = "personal", **extra: Any
) -> dict[str, Any]:
    """A Teams message activity as the channel posts it (serviceUrl set by the harness)."""
    return {
        "type": "message",
        "id": extra.pop("id", f"{int(time.time() * 1000)}{uuid.uuid4().hex[:6]}"),
        "channelId": "msteams",
        "from": account(user),
        "recipient": BOT,
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "text": text,
        "textFormat": "plain",
        **extra,
    }


def mention_bot() -> list[dict[str, Any]]:
    """The entity Teams adds when the bot is @mentioned."""
    return [{"type": "mention", "mentioned": BOT, "text": "<at>Fixloop</at>"}]


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card of a posted activity."""
    return body["attachments"][0]["content"]


def submits(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every Action.Submit's data in a card (show-cards and action sets included), by action id."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.setdefault(node["data"]["fixloop"], node["data"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


class Harness:
    """Fixloop's real aiohttp server with /api/messages, talking to a fake Bot Connector."""

    def __init__(
        self, keys: KeyServer, connector: FakeConnector, client: TestClient, runtime: Runtime
    ) -> None:
        self.keys, self.connector, self.client, self.runtime = keys, connector, client, runtime

    @property
    def desk(self):  # type: ignore[no-untyped-def]
        return self.runtime.desk

    async def post(self, activity: dict[str, Any], token: str | None = "valid", **claims: Any):  # type: ignore[no-untyped-def]
        """POST an activity as the Bot Framework channel does, with a signed token unless told otherwise."""
        activity = {"serviceUrl": self.connector.url, **activity}
        headers = {"Content-Type": "application/json"}
        if token == "valid":
            token = self.keys.sign(serviceurl=activity["serviceUrl"], **claims)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post("/api/messages", data=json.dumps(activity), headers=headers)
        await self.settled()
        return response

    async def settled(self, within: float = 10.0) -> None:
        """Wait until every stored activity was handled (a worker thread handles them after the ack)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not (await self.runtime.repos.inbox.counts()).get("new", 0):
                return
            await asyncio.sleep(0.01)

    async def click(
        self,
        data: dict[str, Any],
        user: str,
        card_id: str,
        conversation: str = DM,
        kind: str = "personal",
        **values: str,
    ):  # type: ignore[no-untyped-def]
        """Press an Action.Submit of a card Fixloop posted (inputs as keyword values)."""
        return await self.post(
            message("", user, conversation, kind, value={**data, **values}, replyToId=card_id)
        )


def teams_settings(database_url: str, config: Path, **overrides: Any) -> Settings:
    """Settings with Teams on (an app id, single tenant), plus any other settings given."""
    return Settings(
        database_url=database_url,
        fixloop_config=config,
        microsoft_app_id=APP_ID,
        microsoft_app_password="a-local-test-password-0000",
        microsoft_app_tenant_id=TENANT,
        **overrides,
    )


@asynccontextmanager
async def harness(
    database_url: str, folder: Path, extra_config: str = "", **overrides: Any
) -> AsyncIterator[Harness]:
    """A key server, a fake connector and a running Fixloop, closed afterwards."""
    with KeyServer() as keys:
        connector = FakeConnector()
        await connector.server.start_server()
        endpoints = Endpoints(
            keys.url, ISSUER, "https://login.example.test/botframework.com", SCOPE, LocalCredentials(keys)
        )
        runtime = await build_runtime(
            teams_settings(database_url, config_file(folder, extra_config), **overrides),
            teams_endpoints=endpoints,
        )
        for article in sample_articles():
            await runtime.repos.articles.save(article)
        await runtime.desk.refresh()
        client = TestClient(TestServer(create_app(runtime), host="127.0.0.1"))
        await client.start_server()
        try:
            yield Harness(keys, connector, client, runtime)
        finally:
            await client.close()
            await connector.server.close()
