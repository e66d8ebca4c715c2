"""The CLI commands: thin shells that call the desk and print."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from aiohttp import web

from adapters.db.claims import SqlJobClaims
from adapters.imports.report import ImportFormatError
from adapters.teams.config import TeamsMisconfigured, teams_mode
from bot import heap, startup
from bot.config import ConfigError
from bot.imports import import_kb
from bot.scheduler import replica_id, start_scheduler
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import Runtime, build_runtime
from core.jobs import Claimer, digest_notice, send_digest
from core.kpis import parse_period
from core.periods import Period, parse_instant
from core.ports import Notice
from core.schedule import JobPolicy

log = logging.getLogger("fixloop")


def migrate(settings: Settings) -> int:
    """Apply every migration to DATABASE_URL."""
    from adapters.db.migrate import upgrade  # Alembic: only for this command

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def serve(settings: Settings, host: str, port: int, *, guide: bool = False) -> int:
    """Run the HTTP server until interrupted; with guide, say where to go next once it listens."""
    asyncio.run(_serve(settings, host, port, guide))
    return 0


async def _serve(settings: Settings, host: str, port: int, guide: bool) -> None:
    _say_teams(settings)
    runtime = await build_runtime(settings)
    app = create_app(runtime)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    socket_mode = await _slack_socket_mode(runtime)
    metrics = runtime.metrics

    def observe(job: str, outcome: str, seconds: float) -> None:
        metrics.scheduler_runs.labels(job, outcome).inc()
        metrics.scheduler_seconds.labels(job).observe(seconds)

    scheduler = start_scheduler(runtime.desk, runtime.engine, runtime.config.schedules, observe)
    log.info("Fixloop listening on http://%s:%d (GET /healthz, GET /metrics)", host, port)
    if guide:
        _show_next_steps(runtime, socket_mode is not None, f"http://{host}:{port}")
    stopping = asyncio.Event()
    # SIGTERM (a service manager, a container's stop) stops cleanly: the running jobs are cancelled as the
    # loop ends, and a re-clustering child is ended with them instead of outliving the server.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        await stopping.wait()
    finally:
        scheduler.stop()
        if socket_mode is not None:
            await socket_mode.close_async()
        await runner.cleanup()


def _show_next_steps(runtime: Runtime, socket_mode: bool, url: str) -> None:
    """Print, for the person who started serve, where to go next and what is connected."""
    slack = "off" if runtime.slack_app is None else "socket" if socket_mode else "http"
    teams = teams_mode(runtime.settings)
    print(startup.next_steps(url, slack=slack, teams=teams, command=startup.program()), flush=True)


def worker(settings: Settings) -> int:
    """Handle what `serve` stored (queued intake) and deliver the outbox, until interrupted."""
    asyncio.run(_work(settings))
    return 0


async def _work(settings: Settings) -> None:
    runtime = await build_runtime(settings)
    if runtime.sweeper is None and runtime.dispatcher is None:
        log.warning("no chat platform is configured: a worker has nothing to do")
    heap.settle()  # the models are loaded: keep full collections off them
    runtime.start_background(work=True)
    log.info("worker started: %d events at a time (FIXLOOP_WORKERS)", settings.fixloop_workers)
    try:
        await asyncio.Event().wait()
    finally:
        await runtime.close()


def _say_teams(settings: Settings) -> None:
    """Refuse to serve Teams without Bot Framework authentication outside development; say how it runs."""
    try:
        mode = teams_mode(settings)
    except TeamsMisconfigured as exc:
        raise ConfigError(str(exc)) from exc
    if mode == "off":
        log.info("Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to connect it")
    elif mode == "open":
        banner = "!" * 78
        log.warning(
            "%s\n!! TEAMS AUTHENTICATION IS OFF: MICROSOFT_APP_ID is empty and FIXLOOP_ENV=development.\n"
            "!! Anyone who can reach POST /api/messages can act as any Teams user. Never expose this.\n%s",
            banner,
            banner,
        )
    else:
        log.info("Teams is on: activities arrive at POST /api/messages; Bot Framework tokens are checked")


async def _slack_socket_mode(runtime: Runtime) -> Any:
    """Say how Slack is connected; with SLACK_APP_TOKEN, open a Socket Mode connection instead of HTTP."""
    settings = runtime.settings
    if runtime.slack_app is None:
        log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect it")
        return None
    if settings.slack_app_token is None:
        log.info("Slack is on: requests arrive at POST /slack/events")
        return None
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(runtime.slack_app, settings.slack_app_token.get_secret_value())
    await handler.connect_async()
    log.info("Slack is on: Socket Mode connected (no public URL needed)")
    return handler


async def import_(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop import kb` (tickets: bot.imports.run_ticket_import): 0 when clean, 1 when some rows were
    rejected, 2 when the file was."""
    try:
        keeper = runtime.keeper
        refit = (lambda: keeper.refit_now("suggestions")) if keeper is not None else None
        result = await import_kb(runtime.desk, args.path, if_empty=args.if_empty, refit=refit)
    except ImportFormatError as exc:
        print(f"fixloop: {exc}. Nothing was imported.", file=sys.stderr)
        return 2
    print(result.to_text())
    return 1 if result.errors else 0


async def causes(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop causes` with an action (`file`, --recluster); the list alone runs in bot/reads.py."""
    if args.recluster:
        return await recluster(runtime, args)
    if args.action == "file":
        return await file_fix(runtime, args)
    if args.apply:
        print("fixloop: --apply goes with --recluster.", file=sys.stderr)
        return 2
    from bot.reads import show_causes

    return show_causes(await runtime.desk.ranked_causes(limit=args.limit), as_json=args.json)


async def file_fix(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop causes file CAUSE_KEY`: file the fix issue (or find the one linked) and print its URL."""
    if not args.cause_key:
        print("fixloop: say which cause: fixloop causes file CAUSE_KEY", file=sys.stderr)
        return 2
    filed = await runtime.desk.file_fix_issue(args.cause_key, None)
    print(filed.url)
    return 0


async def digest(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop digest`: print the weekly digest, or post it to the leaders' channels."""
    period = parse_period(args.start, args.end, runtime.desk.clock.now(), runtime.config.org.timezone)
    document = await runtime.desk.digest(period)  # the reports port: SQL aggregates, any ledger size
    from bot.gaps import attach_knowledge

    await attach_knowledge(document, period, runtime.desk, runtime.engine)
    text = document.to_text()
    from adapters.charts import render_trend_png  # matplotlib: a one-shot command, not the serving path

    chart = render_trend_png(document.trend, document.timezone) if args.post or args.chart else b""
    if args.chart:
        args.chart.write_bytes(chart)
        print(f"trend chart saved to {args.chart}", file=sys.stderr)
    if not args.post:
        print(text)
        return 0
    if not runtime.settings.slack_enabled and runtime.teams is None:
        print(
            "fixloop: no chat platform is connected, so nothing was posted. Set SLACK_BOT_TOKEN and "
            "SLACK_SIGNING_SECRET (or the Microsoft app settings), then run again.",
            file=sys.stderr,
        )
        return 1
    if not await _post_digest_once(runtime, period, digest_notice(document, chart)):
        return 0
    await runtime.drain(within=60)
    pending = (await runtime.repos.outbox.depth()).get("pending", 0)
    if pending:
        print(
            f"fixloop: the digest is queued but {pending} post(s) could not be delivered yet (the chat "
            "platform is failing); `fixloop serve` keeps retrying them, once each.",
            file=sys.stderr,
        )
        return 1
    print("digest posted to the leaders' channels")
    return 0


async def _post_digest_once(runtime: Runtime, period: Period, notice: Notice) -> bool:
    """Post the period's digest through the scheduler's claim; False (and why) when it is taken already."""
    claims = SqlJobClaims(runtime.engine)
    claimer = Claimer(claims, replica_id(), runtime.desk.clock, JobPolicy())

    async def compose(_: Period) -> Notice:
        return notice

    if await send_digest(period, compose, claimer=claimer, notifier=runtime.desk.notifier):
        return True
    posted = await claims.posted_at("digest", period.start)
    why = f"was already posted at {posted.isoformat()}" if posted else "is being posted by another process"
    print(f"fixloop: the digest from {period.start.date()} {why}; not posting it again.", file=sys.stderr)
    return False


async def audit(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop audit [--since DATE] [--json]`: the audit log, oldest first."""
    from bot.cli import print_json

    since = parse_instant(args.since, runtime.config.org.timezone) if args.since else None
    entries = await runtime.desk.audit_entries(since)
    if args.json:
        print_json({"since": since.isoformat() if since else None, "entries": [e.to_dict() for e in entries]})
        return 0
    if not entries:
        print("No audited actions" + (f" since {since.isoformat()}." if since else " yet."))
    for entry in entries:
        print(entry.to_text())
    return 0


async def recluster(runtime: Runtime, args: argparse.Namespace) -> int:
    """`fixloop causes --recluster [--apply]`: propose causes from all tickets; save them with --apply."""
    from bot.cli import print_json

    result = await runtime.desk.propose_causes()
    proposals: list[dict[str, Any]] = [
        {"action": p.action, "key": p.cause.key, "title": p.cause.title, "tickets": len(p.ticket_ids),
         "surfaces": list(p.surfaces), "absorbed": list(p.absorbed), "key_phrases": list(p.cause.key_phrases),
         "evidence": list(p.evidence)}
        for p in result.causes
    ]
    applied = await runtime.desk.apply_reclustering(result) if args.apply else None
    if args.json:
        print_json({"proposals": proposals, "candidates": len(result.candidates),
                    "applied": applied.__dict__ if applied else None})
        return 0
    for p in proposals:
        merged = f"; merges {', '.join(p['absorbed'])}" if p["absorbed"] else ""
        print(f"{p['action']:>5}  {p['title']} [{p['key']}] {p['tickets']} tickets, "
              f"{'+'.join(p['surfaces'])}{merged}\n       evidence: {', '.join(p['evidence'])}")
    print(f"{len(result.candidates)} tickets held as candidates until their cluster grows.")
    if applied:
        print(f"Saved: {applied.new_causes} new causes, {applied.kept_causes} kept, "
              f"{applied.tickets_moved} tickets re-pointed.")
    else:
        print("Nothing saved: run again with --apply to keep this proposal.")
    return 0
