"""The CLI commands: thin shells that call the desk and print."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from adapters.db.migrate import upgrade
from adapters.imports.report import ImportFormatError
from bot.imports import import_kb, import_tickets
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.causes import RankedCause
from core.kpis import format_kpis_text, parse_period
from core.ports import Notice

log = logging.getLogger("fixloop")


def migrate(settings: Settings) -> int:
    """Apply every migration to DATABASE_URL."""
    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def serve(settings: Settings, host: str, port: int) -> int:
    """Run the HTTP server until interrupted."""
    asyncio.run(_serve(settings, host, port))
    return 0


async def _serve(settings: Settings, host: str, port: int) -> None:
    runtime = await build_runtime(settings)
    app = create_app(runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    if not settings.slack_enabled:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect it")
    log.info("Fixloop listening on http://%s:%d (GET /healthz, GET /metrics)", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


async def import_(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop import tickets|kb`: 0 when clean, 1 when some rows were rejected, 2 when the file was."""
    try:
        if args.what == "tickets":
            tz = args.tz or runtime.config.org.timezone
            result = await import_tickets(
                runtime.desk, args.file, args.format, tz=tz, surface=args.surface, if_empty=args.if_empty
            )
        else:
            result = await import_kb(runtime.desk, args.path, if_empty=args.if_empty)
    except ImportFormatError as exc:
        print(f"fixloop: {exc}. Nothing was imported.", file=sys.stderr)
        return 2
    print(result.to_text())
    return 1 if result.errors else 0


def cause_json(r: RankedCause) -> dict[str, Any]:
    """A ranked cause as JSON, the shape `fixloop causes --json` promises."""
    c = r.cause
    return {
        "key": c.key,
        "title": c.title,
        "owner": c.owner,
        "impact": r.impact,
        "tickets": r.tickets,
        "open_tickets": r.open_tickets,
        "surfaces": list(r.surfaces),
        "cross_surface": r.cross_surface,
        "root_cause_at": c.root_cause_at,
        "fix_status": str(c.fix_status),
        "fix_url": c.fix_url,
        "fix_shipped_at": c.fix_shipped_at,
        "evidence": r.evidence,
    }


async def causes(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop causes`: ranked by business impact, volume beside it."""
    from bot.cli import print_json

    ranked = (await runtime.desk.ranked_causes())[: args.limit]
    if args.json:
        print_json({"generated_at": datetime.now(UTC).isoformat(), "causes": [cause_json(r) for r in ranked]})
        return 0
    if not ranked:
        print("No causes yet: import tickets with a cause column, or record root causes on escalations.")
    for i, r in enumerate(ranked, 1):
        both = "  <- both queues" if r.cross_surface else ""
        print(
            f"{i:>2}. {r.cause.title} [{r.cause.key}]{both}\n"
            f"    impact {r.impact:,.0f} | {r.tickets} tickets "
            f"({r.open_tickets} open) | {'+'.join(r.surfaces)} | owner {r.cause.owner or '-'} | fix "
            f"{r.cause.fix_status}{' ' + r.cause.fix_url if r.cause.fix_url else ''}\n"
            f"    evidence: {', '.join(r.evidence)}"
        )
    return 0


async def kpis(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop kpis`: every KPI of DESIGN.md for the period, total and per surface."""
    from bot.cli import print_json

    period = parse_period(args.start, args.end, runtime.desk.clock.now(), runtime.config.org.timezone)
    report = await runtime.desk.kpis(period)
    if args.json:
        print_json(report.to_json())
    else:
        print(format_kpis_text(report))
    return 0


async def digest(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop digest`: print the weekly digest, or post it to the leaders' channels."""
    period = parse_period(args.start, args.end, runtime.desk.clock.now(), runtime.config.org.timezone)
    document = await runtime.desk.digest(period)
    text = document.to_text()
    if not args.post:
        print(text)
        return 0
    if not runtime.settings.slack_enabled:
        print(
            "fixloop: no chat platform is connected, so nothing was posted. Set SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET (or the Microsoft app settings), then run again.",
            file=sys.stderr,
        )
        return 1
    await runtime.desk.notifier.send(Notice(kind="digest", to="leaders", text=text))
    print("digest posted to the leaders' channels")
    return 0
