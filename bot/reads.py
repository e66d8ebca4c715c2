"""The read-only commands: `fixloop kpis`, `fixloop causes` (the list) and `fixloop digest` (printed).

They read SQL aggregates through the reports port, so they build only fixloop.toml, an engine and the
repositories: no desk, no learnt models, no chat platforms. bot/wiring imports scikit-learn, NumPy,
SciPy and the chat SDKs, seconds of CPU per call that these commands never use.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.db.engine import make_engine
from adapters.db.repositories import SqlRepositories
from bot.config import AppConfig, load_config
from bot.gaps import attach_knowledge
from bot.settings import Settings
from core import reports
from core.causes import RankedCause
from core.coaching import format_review_summary
from core.follow_ups import format_follow_ups
from core.kpis import format_kpis_text, parse_period
from core.org import Org
from core.periods import Period
from core.ports import CauseRepository, Clock, TicketRepository


@dataclass
class Reader:
    """What the read-only commands use: fixloop.toml, the database's repositories and a clock."""

    settings: Settings
    config: AppConfig
    engine: AsyncEngine
    repos: SqlRepositories
    clock: Clock

    @property
    def org(self) -> Org:
        """The organisation of fixloop.toml."""
        return self.config.org

    @property
    def tickets(self) -> TicketRepository:
        """The tickets (the digest's knowledge section reads them)."""
        return self.repos.tickets

    @property
    def causes(self) -> CauseRepository:
        """The causes (the digest's knowledge section reads them)."""
        return self.repos.causes

    def period(self, args: argparse.Namespace) -> Period:
        """The period of --from and --to (default: the last full week) in the organisation's time zone."""
        return parse_period(args.start, args.end, self.clock.now(), self.org.timezone)


def read_only(args: argparse.Namespace) -> bool:
    """Whether a command line only reads: `kpis`, the `causes` list, the `digest` printed (not --post)."""
    if args.command == "kpis":
        return True
    if args.command == "causes":
        return not (args.recluster or args.action or args.apply)
    return args.command == "digest" and not args.post


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run a read-only command with only what it reads, then release the database."""
    config = load_config(settings.fixloop_config)  # a bad fixloop.toml stops it first, as build_runtime does
    engine = make_engine(settings.database_url)
    reader = Reader(settings, config, engine, SqlRepositories.build(engine), SystemClock())
    handlers = {"kpis": kpis, "causes": causes, "digest": digest}
    try:
        return await handlers[args.command](reader, args)
    finally:
        await engine.dispose()


async def kpis(reader: Reader, args: argparse.Namespace) -> int:
    """`fixloop kpis`: every KPI of DESIGN.md for the period, total and per surface."""
    from bot.cli import print_json

    period = reader.period(args)
    report = await reports.kpis(period, reports=reader.repos.reports, org=reader.org)
    reviews = await reports.review_summary(period, reviews=reader.repos.reviews)
    if args.json:
        print_json({**report.to_json(), "reviews": reviews})
    else:
        follow_up = format_follow_ups(reviews["follow_ups"])  # type: ignore[arg-type]
        print(format_kpis_text(report) + "\n\n" + format_review_summary(reviews) + "\n" + follow_up)
    return 0


async def causes(reader: Reader, args: argparse.Namespace) -> int:
    """`fixloop causes`: ranked by business impact, volume beside it."""
    ranked = await reports.ranked_causes(limit=args.limit, reports=reader.repos.reports, org=reader.org,
                                         clock=reader.clock)
    return show_causes(ranked, as_json=args.json)


def show_causes(ranked: list[RankedCause], *, as_json: bool) -> int:
    """Print ranked causes, as JSON or as a numbered list."""
    from bot.cli import print_json

    if as_json:
        print_json({"generated_at": datetime.now(UTC).isoformat(), "causes": [r.to_dict() for r in ranked]})
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


async def digest(reader: Reader, args: argparse.Namespace) -> int:
    """`fixloop digest` without --post: print the weekly digest (and save its chart with --chart)."""
    period = reader.period(args)
    document = await reports.digest(period, reports=reader.repos.reports, org=reader.org, clock=reader.clock)
    await attach_knowledge(document, period, reader, reader.engine)
    if args.chart:
        from adapters.charts import render_trend_png  # matplotlib: only when a chart is asked for

        args.chart.write_bytes(render_trend_png(document.trend, document.timezone))
        print(f"trend chart saved to {args.chart}", file=sys.stderr)
    print(document.to_text())
    return 0
