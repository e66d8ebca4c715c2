"""The HTTP server: one aiohttp application; Slack and Teams endpoints join it in their adapters."""

from __future__ import annotations

import hmac
import logging
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr

from adapters.db.chart_images import SqlChartImages
from adapters.db.engine import ping
from adapters.slack.http import http_handler
from bot import heap, webhooks
from bot.logs import new_request_id
from bot.wiring import Runtime

log = logging.getLogger("fixloop.http")
RUNTIME = web.AppKey("runtime", Runtime)
CHARTS = web.AppKey("charts", SqlChartImages)


@web.middleware
async def measure(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Count and time every request; an unknown error answers 500 with a reference id."""
    metrics = request.app[RUNTIME].metrics
    path = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    started = time.perf_counter()
    status = 500
    request_id = new_request_id(request.headers.get("X-Request-Id"))  # every log line of this request has it
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.requests.labels(path, str(status)).inc()
        metrics.latency.labels(path).observe(time.perf_counter() - started)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers; 503 with the reason when it does not."""
    runtime = request.app[RUNTIME]
    body: dict[str, object] = {
        "retrieval": runtime.retrieval,
        "slack": runtime.settings.slack_enabled,
        "teams": runtime.teams is not None,
        "llm": runtime.settings.llm_enabled,
        "models": runtime.keeper.versions() if runtime.keeper else {},
    }
    try:
        await ping(runtime.engine)
    except Exception as exc:  # the probe must answer, whatever the database does
        log.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({**body, "status": "error", "database": "unavailable"}, status=503)
    return web.json_response({**body, "status": "ok", "database": "ok"})


def scrape_allowed(request: web.Request, token: SecretStr | None) -> bool:
    """Whether a scrape may read /metrics: always without FIXLOOP_METRICS_TOKEN, else with it as bearer."""
    if token is None:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition (queue depths read from the database at scrape time)."""
    runtime = request.app[RUNTIME]
    if not scrape_allowed(request, runtime.settings.fixloop_metrics_token):
        return web.json_response(
            {"error": "GET /metrics needs Authorization: Bearer <FIXLOOP_METRICS_TOKEN>"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="fixloop-metrics"'},
        )
    try:
        pending = await runtime.repos.outbox.depth()
        inbox = await runtime.repos.inbox.counts()
        runtime.metrics.outbox_depth.set(pending.get("pending", 0))
        runtime.metrics.inbox_pending.set(inbox.get("new", 0))
    except Exception:  # the database is away: the other metrics still answer
        log.warning("metrics: queue depths unavailable (database)")
    body = generate_latest(runtime.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def chart(request: web.Request) -> web.Response:
    """A digest's trend chart by its token (Teams cards load images by URL); 404 for any other token."""
    png = await request.app[CHARTS].get(request.match_info["token"])
    if png is None:
        raise web.HTTPNotFound(text="No such chart: it may be older than Fixloop keeps charts.")
    # A token names one chart forever, so caches may keep it; the token is the only access control.
    headers = {"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=png, content_type="image/png", headers=headers)


def add_console(app: web.Application, runtime: Runtime) -> None:
    """The leaders' console under /app/ (/app answers with a redirect to it)."""
    from bot.console import console_app

    app.add_subapp("/app/", console_app(runtime))
    app.router.add_get("/app", _to_console)


async def _to_console(_: web.Request) -> web.StreamResponse:
    """/app answers with a permanent redirect to /app/ (an async handler: aiohttp deprecates plain ones)."""
    return web.Response(status=308, headers={"Location": "/app/"})


def create_app(runtime: Runtime) -> web.Application:
    """The aiohttp application with the health, metrics and chart endpoints."""
    app = web.Application(middlewares=[measure], client_max_size=1024 * 1024)
    app[RUNTIME] = runtime
    app[CHARTS] = SqlChartImages(runtime.engine)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/charts/{token}.png", chart)
    add_console(app, runtime)
    secret = runtime.settings.slack_signing_secret
    if runtime.slack_app is not None and secret is not None:
        # The signature is checked before the body is read (and again by slack-bolt for what it answers).
        handler = http_handler(runtime.slack_app, runtime.slack_intake, secret.get_secret_value())
        app.router.add_post("/slack/events", handler)
    webhooks.register(app, runtime)  # /webhooks/github|jira|linear, each when its secret is set
    if runtime.teams is not None:
        from adapters.teams.app import http_handler as teams_handler  # Teams on: its SDK is loaded already

        app.router.add_post("/api/messages", teams_handler(runtime.teams))  # Bot Framework JWT checked there

    async def start(_: web.Application) -> None:
        heap.settle()  # this process's models are loaded: keep full collections off them
        runtime.start_serving()

    async def close(_: web.Application) -> None:
        await runtime.close()

    app.on_startup.append(start)
    app.on_cleanup.append(close)
    return app
