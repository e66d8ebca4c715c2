"""build_teams: CloudAdapter behind Bot Framework auth, the one error handler, and POST /api/messages."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import requests
from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult
from msrest.exceptions import DeserializationError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db._sql import Sessions
from adapters.db.chart_images import SqlChartImages
from adapters.db.conversations import SqlConversationReferences
from adapters.intake import Handler, Intake
from adapters.teams import intake, shapes
from adapters.teams.bot import FixloopBot
from adapters.teams.config import Endpoints, TeamsSettings, bot_config
from adapters.teams.escape import md
from adapters.teams.notifier import TeamsNotifier
from adapters.teams.references import ConversationReferenceStore, SqlCardClaims
from core.desk import Desk
from core.errors import FixloopError
from core.knowledge import KnowledgeDesk
from core.org import Org

log = logging.getLogger("fixloop.teams")


def build_adapter(settings: TeamsSettings, endpoints: Endpoints | None = None) -> CloudAdapter:
    """The CloudAdapter with JWT validation configured from the settings, and the one error handler."""
    credentials = endpoints.credentials if endpoints else None
    auth = ConfigurationBotFrameworkAuthentication(
        bot_config(settings, endpoints), credentials_factory=credentials
    )
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = on_error
    return adapter


@dataclass
class TeamsApp:
    """The adapter, the bot and the notifier sharing one conversation-reference store."""

    adapter: CloudAdapter
    notifier: TeamsNotifier
    references: ConversationReferenceStore
    claims: SqlCardClaims
    intake: Intake | None = None  # where message activities are stored before they are acknowledged
    bot: FixloopBot | None = None
    app_id: str = ""
    tenant: str = ""  # MICROSOFT_APP_TENANT_ID: the organisation's own tenant
    gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))  # turns run at once

    def bind(self, desk: Desk, knowledge: KnowledgeDesk | None = None) -> None:
        """Give the bot and the notifier the desk (the desk holds the notifier, so this comes after)."""
        self.bot = FixloopBot(desk, self.references, self.claims, home_tenant=self.tenant,
                              knowledge=knowledge, poster=self.notifier)
        self.notifier.bind(desk)

    def handler(self) -> Handler:
        """What a worker calls to run a stored activity's turn."""
        return intake.handler(self.adapter, lambda: self._bot().on_turn, self.app_id)

    def _bot(self) -> FixloopBot:
        assert self.bot is not None, "TeamsApp.bind(desk) was not called"
        return self.bot


def build_teams(
    settings: TeamsSettings,
    sessions: Sessions | AsyncEngine,
    org: Org,
    *,
    intake: Intake | None = None,
    endpoints: Endpoints | None = None,
) -> TeamsApp:
    """Everything Teams needs; call bind(desk) once the desk exists."""
    adapter = build_adapter(settings, endpoints)
    references = ConversationReferenceStore(SqlConversationReferences(sessions))
    app_id = settings.microsoft_app_id.strip()
    notifier = TeamsNotifier(
        adapter,
        references,
        org,
        app_id=app_id,
        charts=SqlChartImages(sessions),
        public_url=settings.fixloop_public_url,
    )
    claims, tenant = SqlCardClaims(sessions), settings.microsoft_app_tenant_id.strip()
    return TeamsApp(adapter, notifier, references, claims, intake, app_id=app_id, tenant=tenant)


def error_text(error: BaseException) -> str:
    """A domain error's own message; anything else a reference id that is also logged."""
    if isinstance(error, FixloopError):
        return str(error)
    ref = secrets.token_hex(4)
    log.error("Teams activity failed (reference %s)", ref, exc_info=error)
    return (
        f"Something went wrong on Fixloop's side (reference {ref}). "
        "Try again, or give the reference to your Fixloop admin."
    )


async def on_error(turn_context: TurnContext, error: Exception) -> None:
    """The one error handler: the person who acted is told in the conversation; nothing changes."""
    text = error_text(error)
    try:
        await turn_context.send_activity(md(text))  # it may quote what the person typed
    except Exception:  # Teams itself is failing: the log keeps the message and the reference
        log.exception("could not tell the user: %s", text)


class Refused(Exception):
    """The request did not prove it comes from the Bot Framework."""


class KeysUnavailable(Exception):
    """The OpenID metadata or signing keys could not be fetched, so no token can be checked now."""


async def authenticate(
    adapter: CloudAdapter, activity: Activity, header: str | None
) -> AuthenticateRequestResult:
    """Validate the bearer token; anything but a valid one is Refused (botbuilder lets many errors escape)."""
    try:
        return await adapter.bot_framework_authentication.authenticate_request(activity, header)
    except requests.RequestException as exc:
        log.error("cannot fetch the Bot Framework signing keys: %s", exc)
        raise KeysUnavailable from exc  # a 503 makes the channel retry; a 401 would drop the message
    except (
        Exception
    ) as exc:  # PermissionError, jwt's errors, IndexError for an unknown key id, bare Exception
        log.warning("refused a Teams request: %s: %s", type(exc).__name__, exc)
        raise Refused from exc


def http_handler(teams: TeamsApp) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler for POST /api/messages: the token, then the shape, then the intake or the turn.

    With authentication on, a request without a bearer token is refused before its body is read;
    a body that is not an activity is refused (400) before botbuilder deserializes it.
    """

    async def handle(request: web.Request) -> web.StreamResponse:
        header = request.headers.get("Authorization") or None
        if teams.app_id and not _bearer(header):
            log.warning("refused a Teams request without a bearer token")
            return web.json_response({"error": "unauthorized"}, status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = shapes.parse(await request.read())
            activity = Activity().deserialize(body)
        except (shapes.BadShape, DeserializationError) as exc:
            log.warning("refused a Teams request: %s", exc)
            return web.json_response({"error": f"not an activity Fixloop takes: {exc}"}, status=400)
        try:
            auth = await authenticate(teams.adapter, activity, header)
        except Refused:
            return web.json_response({"error": "unauthorized"}, status=401)
        except KeysUnavailable:
            return web.json_response(
                {"error": "signing keys unavailable"}, status=503, headers={"Retry-After": "5"}
            )
        key = intake.key_of(activity)
        if key is not None and teams.intake is not None:
            return await _receive(teams.intake, key, body)
        return await _turn(teams, auth, activity)

    return handle


def _bearer(header: str | None) -> bool:
    """Whether an Authorization header carries a bearer token at all (checked properly later)."""
    scheme, _, token = (header or "").partition(" ")
    return scheme.lower() == "bearer" and token.count(".") == 2


async def _receive(store: Intake, key: str, body: dict[str, object]) -> web.StreamResponse:
    """Store a message activity and acknowledge it; 503 (the channel redelivers) when the database is away."""
    if await store.receive(key, json.dumps(body)):
        return web.Response(status=201)  # a worker runs the turn and the bot replies through the connector
    return web.json_response({"error": "database unavailable"}, status=503, headers={"Retry-After": "5"})


async def _turn(teams: TeamsApp, auth: AuthenticateRequestResult, activity: Activity) -> web.StreamResponse:
    """Run a turn that is answered in the response (card actions, invokes, membership updates)."""
    async with teams.gate:  # a burst waits for a slot instead of exhausting the database pool
        invoke = await teams.adapter.process_activity(auth, activity, teams._bot().on_turn)
    if invoke:
        return web.json_response(serializer_helper(invoke.body), status=invoke.status)
    return web.Response(status=201)
