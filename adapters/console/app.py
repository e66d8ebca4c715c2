"""build_console: the /app/ sub-application, its session and CSRF middleware, and page rendering."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web

from adapters.console.oidc import OidcClient
from adapters.console.tables import Table, csv_response
from adapters.db.console_auth import ConsoleSession, SqlConsoleSessions, SqlSignInLinks
from adapters.db.console_sql import SqlConsole
from adapters.db.job_sql import SqlJobCandidates
from adapters.db.kpi_sql import SqlKpis
from adapters.db.reviews import SqlReviewRepository
from core.console import PAGES, SESSION_LIFETIME, Page, Viewer, viewer_for
from core.errors import FixloopError
from core.org import Org
from core.ports import Clock

log = logging.getLogger("fixloop.console")
HERE = Path(__file__).parent
COOKIE = "fixloop_console"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# No script at all; styles and images from the console itself; Teams may frame it as a personal tab.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"
)


@dataclass
class Console:
    """What the console reads and writes through; built once by the composition root."""

    org: Org
    clock: Clock
    links: SqlSignInLinks
    sessions: SqlConsoleSessions
    data: SqlConsole
    kpis: SqlKpis
    reviews: SqlReviewRepository
    candidates: SqlJobCandidates
    providers: dict[str, OidcClient] = field(default_factory=dict)
    secure: bool = False  # cookies Secure: FIXLOOP_PUBLIC_URL is https
    public_url: str | None = None
    trend_cache: dict[Any, Any] = field(default_factory=dict)


CONSOLE = web.AppKey("console", Console)
SESSION = web.RequestKey("session", ConsoleSession)  # absent: no session
VIEWER = web.RequestKey("viewer", Viewer)  # set on every page but sign-in


def session_of(request: web.Request) -> ConsoleSession | None:
    """The request's console session, if it has one."""
    return request.get(SESSION)


def viewer_of(request: web.Request) -> Viewer:
    """The signed-in viewer (the middleware set it, or the page would not run)."""
    return request[VIEWER]


TEMPLATES = web.AppKey("templates", jinja2.Environment)


def templates() -> jinja2.Environment:
    """Jinja2 with autoescaping on for every template: whatever a person or a model wrote is escaped."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["PAGES"] = PAGES
    return env


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """A page from its template, with the viewer, the CSRF token and the navigation."""
    session, viewer = session_of(request), request.get(VIEWER)
    html = (
        request.app[TEMPLATES]
        .get_template(name)
        .render(viewer=viewer, csrf=session.csrf if session else "", path=request.path, **context)
    )
    return web.Response(text=html, content_type="text/html", status=status)


def message(request: web.Request, title: str, text: str, status: int) -> web.Response:
    """A page that says one thing clearly (refusals, used links, bad input)."""
    return render(request, "message.html", status=status, title=title, text=text)


def with_tables(request: web.Request, name: str, tables: list[Table], **context: Any) -> web.Response:
    """A page of tables; `?csv=NAME` downloads one of them instead."""
    wanted = request.query.get("csv")
    if wanted is not None:
        table = next((t for t in tables if t.name == wanted), None)
        if table is None:
            return message(request, "No such table", "This page has no table by that name.", 404)
        return csv_response(table)
    return render(request, name, tables={t.name: t for t in tables}, **context)


def redirect(location: str) -> web.Response:
    """A 303 to a console path or a sign-in provider, with an empty body."""
    return web.Response(status=303, headers={"Location": location})


def needs(page: Page) -> Callable[[Handler], Handler]:
    """Open a page only to viewers whose role includes it; others get a clear 403 and no data."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            viewer = viewer_of(request)
            if not viewer.may_open(page):
                return message(
                    request,
                    "Not for your role",
                    f"The {page.value} page is for leaders. Your console shows: "
                    + ", ".join(p.value for p in PAGES[viewer.access])
                    + ".",
                    403,
                )
            return await handler(request)

        return guarded

    return wrap


PUBLIC = ("/app/signin", "/app/static/")


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session; every page but sign-in needs one; every POST needs the session's CSRF token."""
    console = request.app[CONSOLE]
    token = request.cookies.get(COOKIE)
    session = await console.sessions.get(token, console.clock.now()) if token else None
    if session is not None:
        request[SESSION] = session
    if request.method == "POST" and not await _csrf_ok(request, session):
        return message(
            request, "Form expired", "This form is no longer valid: reload the page and try again.", 403
        )
    if not request.path.startswith(PUBLIC):
        if session is None or session.person is None:
            where = quote(request.path_qs, safe="/?=&")
            return secure_headers(redirect(f"/app/signin?next={where}"))  # no data: not a byte of the page
        viewer = viewer_for(console.org, session.person)
        if viewer is None:
            return message(request, "No access", "Your fixloop.toml roles give you no console pages.", 403)
        request[VIEWER] = viewer
    try:
        response = await handler(request)
    except FixloopError as exc:
        response = message(request, "Cannot show that", str(exc), 400)
    return secure_headers(response)


async def _csrf_ok(request: web.Request, session: ConsoleSession | None) -> bool:
    """The form's csrf field equals the session's token (constant-time)."""
    if session is None:
        return False
    form = await request.post()
    sent = form.get("csrf")
    return isinstance(sent, str) and hmac.compare_digest(sent, session.csrf)


def secure_headers(response: web.StreamResponse) -> web.StreamResponse:
    """No script, no sniffing, no caching of figures, no sign-in token in a Referer."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def set_session_cookie(response: web.StreamResponse, console: Console, session: ConsoleSession) -> None:
    """The session cookie: HttpOnly, SameSite=Lax (a sign-in callback is a top-level GET), Secure on https."""
    lifetime = int(SESSION_LIFETIME.total_seconds()) if session.person else 900
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=lifetime,
        path="/app/",
        httponly=True,
        secure=console.secure,
        samesite="Lax",
    )


def build_console(console: Console) -> web.Application:
    """The /app/ sub-application."""
    from adapters.console import pages, people_pages, signin

    app = web.Application(middlewares=[guard])
    app[CONSOLE] = console
    app[TEMPLATES] = templates()
    signin.register(app)
    pages.register(app)
    people_pages.register(app)
    app.router.add_static("/static/", HERE / "static")
    return app
