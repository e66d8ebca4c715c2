"""The `fixloop` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot import backtest, gaps, logs
from bot.config import ConfigError
from bot.settings import Settings
from core.errors import FixloopError

if TYPE_CHECKING:
    from bot.wiring import Runtime

FORMATS = ("zendesk", "jira", "servicenow", "csv")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fixloop", description="Support tickets in, permanent fixes out.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the bot: HTTP endpoints and the scheduler")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)
    sub.add_parser(
        "worker", help="handle stored events and deliver the outbox (with FIXLOOP_INTAKE=queued)"
    )
    chat = sub.add_parser("chat", help="chat with Fixloop in the terminal")
    chat.add_argument(
        "--as", dest="role", choices=("employee", "agent", "manager", "leader"), default="employee"
    )
    chat.add_argument("--user", help="who you are (a person key from fixloop.toml); default depends on --as")
    sub.add_parser("migrate", help="apply database migrations")
    imp = sub.add_parser("import", help="load tickets or knowledge articles").add_subparsers(
        dest="what", required=True
    )
    tickets = imp.add_parser("tickets", help="a help-desk export or the generic CSV ledger")
    tickets.add_argument("file", type=Path)
    tickets.add_argument("--format", required=True, choices=FORMATS)
    tickets.add_argument("--tz", default=None, help="time zone of export times without an offset")
    tickets.add_argument("--surface", choices=("internal", "external"), default=None)
    tickets.add_argument("--if-empty", action="store_true", help="import only into an empty database")
    kb = imp.add_parser("kb", help="a folder of Markdown articles with front matter, or a CSV")
    kb.add_argument("path", type=Path)
    kb.add_argument("--if-empty", action="store_true")
    causes = sub.add_parser("causes", help="root causes ranked by business impact; `file KEY` files its fix")
    causes.add_argument("action", nargs="?", choices=("file",),
                        help="file: file the cause's fix issue in its owner's tracker and print its URL")
    causes.add_argument("cause_key", nargs="?", metavar="CAUSE_KEY")
    causes.add_argument("--json", action="store_true")
    causes.add_argument("--limit", type=int, default=20)
    causes.add_argument("--recluster", action="store_true",
                        help="re-cluster every ticket and propose causes (new, kept, split, merged)")
    causes.add_argument("--apply", action="store_true", help="with --recluster: save the proposal")
    kpis = sub.add_parser("kpis", help="the KPIs for a period (default: last full week)")
    kpis.add_argument("--from", dest="start")
    kpis.add_argument("--to", dest="end")
    kpis.add_argument("--json", action="store_true")
    digest = sub.add_parser("digest", help="compose the weekly digest; print it, or post it")
    digest.add_argument("--from", dest="start")
    digest.add_argument("--to", dest="end")
    digest.add_argument("--post", action="store_true")
    digest.add_argument("--chart", metavar="FILE", type=Path, help="also save the trend chart as a PNG")
    audit = sub.add_parser("audit", help="who escalated, judged, recorded causes, fixed, reviewed, and when")
    audit.add_argument("--since", help="entries at or after DATE (ISO 8601; a bare date is local midnight)")
    audit.add_argument("--json", action="store_true")
    console = sub.add_parser("console", help="the leaders' console")
    console_sub = console.add_subparsers(dest="what", required=True)
    link = console_sub.add_parser("link", help="print a one-time sign-in link (valid once, for 10 minutes)")
    link.add_argument("--as", dest="person", required=True, help="a person key or user id from fixloop.toml")
    backtest.add_parser(sub)
    gaps.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; user errors print a clear message and exit non-zero."""
    args = _parser().parse_args(argv)
    readable = logs.configure(args.command) == "text"
    try:
        settings = Settings()
        return _dispatch(args, settings, readable)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])).upper()  # empty for a check across settings
        print(f"fixloop: setting {where} {first['msg']}" if where else
              f"fixloop: {first['msg'].removeprefix('Value error, ')}", file=sys.stderr)
    except (ConfigError, FixloopError) as exc:
        print(f"fixloop: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 2


def _dispatch(args: argparse.Namespace, settings: Settings, readable: bool) -> int:
    if args.command == "import" and args.what == "tickets":
        from bot.imports import run_ticket_import  # no models to load: starts in a fraction of a second

        return asyncio.run(run_ticket_import(settings, args))
    from bot import reads

    if reads.read_only(args):  # an engine and the SQL reports: no models, no chat platforms to import
        return asyncio.run(reads.run(settings, args))
    from bot import commands, console

    if args.command == "backtest":
        return backtest.run(args)
    if args.command == "migrate":
        return commands.migrate(settings)
    if args.command == "serve":
        return commands.serve(settings, args.host, args.port, guide=readable)  # a person reads: guide them
    if args.command == "worker":
        return commands.worker(settings)
    if args.command == "chat":
        from bot.chat import run_chat

        return run_chat(settings, role=args.role, user=args.user)
    handlers: dict[str, Callable[[Runtime, argparse.Namespace], Awaitable[int]]] = {
        "import": commands.import_,
        "causes": commands.causes,
        "digest": commands.digest,
        "audit": commands.audit,
        "gaps": gaps.run,
        "console": console.link,
    }
    return asyncio.run(_with_runtime(settings, handlers[args.command], args))


async def _with_runtime(
    settings: Settings,
    handler: Callable[[Runtime, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    # Every command that gets here (reports, imports, gaps, console links) reads or writes the ledger only:
    # fitting the suggestion and routing models would cost seconds for nothing (serving processes relearn
    # from the database).
    from bot.wiring import build_runtime  # the models' libraries load only for commands that use them

    runtime = await build_runtime(settings, load_indexes=False)
    try:
        return await handler(runtime, args)
    finally:
        await runtime.close()


def print_json(data: object) -> None:
    """Print JSON the way scripts expect: one object, UTF-8, stable key order."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> str:
    from datetime import datetime

    return value.isoformat() if isinstance(value, datetime) else str(value)
