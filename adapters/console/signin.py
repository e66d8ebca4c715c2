"""Sign-in and sign-out: one-time links, Sign in with Slack, Sign in with Microsoft (OpenID Connect)."""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.console.app import (
    CONSOLE,
    COOKIE,
    SESSION,
    Console,
    message,
    redirect,
    render,
    session_of,
    set_session_cookie,
)
from adapters.console.oidc import SignInFailed
from adapters.db.console_auth import LinkState
from core.console import NO_ACCESS, sign_in_entry_for, viewer_for

log = logging.getLogger("fixloop.console")
REFUSED = {
    LinkState.USED: (
        "This link was already used",
        "A sign-in link works once. Ask the bot for a new one: /fixloop console in Slack, console in Teams.",
    ),
    LinkState.EXPIRED: (
        "This link has expired",
        "A sign-in link works for 10 minutes. Ask the bot for a new one: /fixloop console "
        "in Slack, console in Teams.",
    ),
    LinkState.UNKNOWN: (
        "This link is not valid",
        "Check that you copied the whole link, or ask the bot for a new one: /fixloop "
        "console in Slack, console in Teams.",
    ),
}


def _next(request: web.Request) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    target = request.query.get("next", "/app/")
    return target if target.startswith("/app/") and not target.startswith("//") else "/app/"


async def signin_page(request: web.Request) -> web.Response:
    """The sign-in choices."""
    console = request.app[CONSOLE]
    providers = [(name, client.provider.label) for name, client in console.providers.items()]
    return render(request, "signin.html", providers=providers, next=_next(request))


async def link_page(request: web.Request) -> web.StreamResponse:
    """A one-time link opened: a button that uses it (link previews fetch URLs; only a POST signs in)."""
    console = request.app[CONSOLE]
    state = await console.links.state(request.match_info["token"], console.clock.now())
    if state != LinkState.VALID:
        return message(request, *REFUSED[state], 410 if state != LinkState.UNKNOWN else 404)
    session = session_of(request) or await console.sessions.start(console.clock.now())
    response = render(request, "link.html", csrf_token=session.csrf)
    set_session_cookie(response, console, session)
    return response


async def use_link(request: web.Request) -> web.StreamResponse:
    """Use a one-time link (the CSRF check ran in the middleware): a new signed-in session."""
    return await _signed_in(request, request.app[CONSOLE], "link", link=request.match_info["token"])


async def _signed_in(
    request: web.Request, console: Console, via: str, *, person: str | None = None, link: str | None = None
) -> web.StreamResponse:
    """Use the link, replace the pre-sign-in session and audit it, in one transaction; go home."""
    now, old = console.clock.now(), session_of(request)
    state, session = await console.sessions.sign_in(
        now,
        sign_in_entry_for(console.org, via, now),
        person=person,
        link=link,
        replaces=old.token if old is not None else None,
    )
    if state != LinkState.VALID:
        return message(request, *REFUSED[state], 410 if state != LinkState.UNKNOWN else 404)
    viewer = viewer_for(console.org, session.person) if session is not None and session.person else None
    if session is None or viewer is None:
        return message(request, "No access", NO_ACCESS, 403)
    log.info("console sign-in", extra={"person": viewer.key, "via": via})
    response = redirect("/app/" if viewer.home.value == "overview" else f"/app/{viewer.home.value}")
    set_session_cookie(response, console, session)
    return response


def _redirect_uri(request: web.Request, console: Console, provider: str) -> str:
    """The callback URL registered with the provider: on FIXLOOP_PUBLIC_URL when set."""
    base = console.public_url or f"{request.scheme}://{request.host}"
    return f"{base}/app/signin/{provider}/callback"


async def start_oidc(request: web.Request) -> web.StreamResponse:
    """Send the browser to the provider, remembering state, nonce and PKCE verifier in a pending session."""
    console = request.app[CONSOLE]
    client = console.providers.get(request.match_info["provider"])
    if client is None:
        return message(request, "Not set up", "That sign-in is not set up on this Fixloop.", 404)
    try:
        url, pending = await client.start(_redirect_uri(request, console, client.provider.name))
    except SignInFailed as exc:
        return message(request, "Sign-in failed", str(exc), 502)
    session = await console.sessions.start(console.clock.now(), pending=pending)
    response = redirect(url)
    set_session_cookie(response, console, session)
    return response


async def finish_oidc(request: web.Request) -> web.StreamResponse:
    """The provider sent the browser back: check state, exchange the code, validate the ID token."""
    console = request.app[CONSOLE]
    name = request.match_info["provider"]
    client, session = console.providers.get(name), session_of(request)
    if client is None or session is None or session.pending.get("provider") != name:
        return message(
            request,
            "Sign-in failed",
            "This sign-in was not started in this browser (or took longer than 15 minutes); start again.",
            400,
        )
    if "error" in request.query:
        return message(request, "Sign-in cancelled", f"{client.provider.label} did not sign you in.", 400)
    if not await console.sessions.end(session.token):  # a callback is used once
        return message(request, "Sign-in failed", "This sign-in was already finished; start again.", 400)
    try:
        claims = await client.finish(
            session.pending, request.query.get("code", ""), request.query.get("state", "")
        )
    except SignInFailed as exc:
        return message(request, "Sign-in failed", str(exc), 400)
    platform = client.provider.platform
    person = next((p for i in client.identities(claims) if (p := console.org.person(i, platform))), None)
    if person is None:
        return message(
            request,
            "No access",
            NO_ACCESS + f" ({client.provider.label} did not name anyone fixloop.toml lists.)",
            403,
        )
    request.pop(SESSION, None)  # ended above
    return await _signed_in(request, console, name, person=person.key)


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session (a POST with the CSRF token)."""
    console = request.app[CONSOLE]
    session = session_of(request)
    if session is not None:
        await console.sessions.end(session.token)
    response = redirect("/app/signin")
    response.del_cookie(COOKIE, path="/app/")
    return response


def register(app: web.Application) -> None:
    """The sign-in routes (the only ones open without a session)."""
    app.router.add_get("/signin", signin_page)
    app.router.add_get("/signin/link/{token}", link_page)
    app.router.add_post("/signin/link/{token}", use_link)
    app.router.add_get("/signin/{provider}", start_oidc)
    app.router.add_get("/signin/{provider}/callback", finish_oidc)
    app.router.add_post("/signout", sign_out)
