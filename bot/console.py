"""The console's composition: sign-in links for the desk, the /app/ sub-application for the server."""

from __future__ import annotations

import argparse
import sys

from aiohttp import web

from adapters.console.app import Console, build_console
from adapters.console.oidc import OidcClient, entra_provider, slack_provider
from adapters.db.console_auth import SqlConsoleSessions, SqlSignInLinks
from adapters.db.console_sql import SqlConsole
from adapters.db.job_sql import SqlJobCandidates
from adapters.db.kpi_sql import SqlKpis
from bot.settings import Settings
from bot.wiring import Runtime


async def link(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop console link --as PERSON`: print a one-time sign-in link (the one the bot would DM)."""
    found = await runtime.desk.console_link(args.person)
    print(found.url)
    print(
        f"valid once, until {found.expires_at.isoformat(timespec='seconds')}, for {found.person}",
        file=sys.stderr,
    )
    return 0


def providers(settings: Settings, verify: bool | str = True) -> dict[str, OidcClient]:
    """The OpenID Connect providers whose client id and secret are set."""
    out: dict[str, OidcClient] = {}
    if settings.slack_client_id and settings.slack_client_secret is not None:
        slack = slack_provider(
            settings.slack_client_id, settings.slack_client_secret.get_secret_value(), settings.slack_oidc_url
        )
        out["slack"] = OidcClient(slack, verify=verify)
    if settings.entra_client_id and settings.entra_client_secret is not None and settings.entra_tenant_id:
        entra = entra_provider(
            settings.entra_client_id,
            settings.entra_client_secret.get_secret_value(),
            settings.entra_tenant_id,
            settings.entra_oidc_url,
        )
        out["entra"] = OidcClient(entra, verify=verify)
    return out


def console_app(runtime: Runtime) -> web.Application:
    """The /app/ sub-application, reading through the same SQL reporting path as the digest."""
    settings, engine = runtime.settings, runtime.engine
    console = Console(
        org=runtime.config.org,
        clock=runtime.desk.clock,
        links=SqlSignInLinks(engine, settings.console_url),
        sessions=SqlConsoleSessions(engine),
        data=SqlConsole(engine),
        kpis=SqlKpis(engine),
        reviews=runtime.repos.reviews,
        candidates=SqlJobCandidates(engine),
        providers=providers(settings),
        secure=settings.console_url.startswith("https://"),
        public_url=settings.fixloop_public_url,
    )
    return build_console(console)
