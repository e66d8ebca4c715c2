"""`fixloop gaps`: knowledge gaps per surface, drafts for them, and the owner's publish or discard."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from adapters.db.drafts import SqlDraftRepository
from adapters.db.uow import SqlUnitOfWork
from adapters.kb_export import MarkdownFolder
from core import knowledge
from core.digests import Digest
from core.gaps import gaps_text
from core.org import Org
from core.periods import Period
from core.ports import CauseRepository, TicketRepository

if TYPE_CHECKING:  # bot.wiring imports the models' libraries: the read-only commands never load it
    from bot.wiring import Runtime
    from core.desk import Desk


class Ledger(Protocol):
    """What the digest's knowledge section reads: a Desk, or the read-only commands' Reader."""

    @property
    def tickets(self) -> TicketRepository: ...
    @property
    def causes(self) -> CauseRepository: ...
    @property
    def org(self) -> Org: ...


def add_parser(sub: Any) -> None:
    """Register `gaps` on the top-level subparsers."""
    gaps = sub.add_parser("gaps", help="groups of tickets people solved without an article, and drafts")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=10, help="gaps per surface")
    gaps.add_argument("--draft", metavar="GAP", help="draft an article from a gap's tickets (its key)")
    gaps.add_argument("--publish", metavar="DRAFT", help="publish a draft into the knowledge base")
    gaps.add_argument("--discard", metavar="DRAFT", help="discard a draft")
    gaps.add_argument("--as", dest="who", help="with --publish/--discard: your person key in fixloop.toml")


def knowledge_desk(runtime: Runtime) -> knowledge.KnowledgeDesk:
    """The knowledge use cases over the runtime's database; published articles go to the export folder."""
    desk = runtime.desk
    return knowledge.KnowledgeDesk(
        tickets=desk.tickets, causes=desk.causes, drafts=SqlDraftRepository(runtime.engine),
        articles=desk.articles, library=desk.library, org=desk.org, clock=desk.clock,
        export=MarkdownFolder(runtime.settings.fixloop_kb_export_dir), new_id=lambda: uuid.uuid4().hex[:10],
        uow=lambda: knowledge_unit(desk), llm=desk.llm, run=asyncio.to_thread)


def knowledge_unit(desk: Desk) -> knowledge.KnowledgeUnit:
    """The desk's unit of work, which stores drafts too (adapters/db/uow.py)."""
    unit = desk.uow()
    if not isinstance(unit, SqlUnitOfWork):
        raise TypeError(f"knowledge decisions need the SQL unit of work, not {type(unit).__name__}")
    return unit


async def run(runtime: Runtime, args: argparse.Namespace) -> int:
    """List gaps, draft one, or decide a draft."""
    from bot.cli import print_json

    k = knowledge_desk(runtime)
    if args.publish or args.discard:
        if not args.who:
            print("fixloop: --publish and --discard need --as PERSON (an agent or leader).", file=sys.stderr)
            return 2
        decision = await k.decide(args.publish or args.discard, "publish" if args.publish else "discard",
                                  args.who, None)
        d = decision.draft
        where = f"; article {d.article_key} written to {decision.exported_to}" if decision.exported_to else ""
        again = "" if decision.changed else " (already; nothing changed)"
        print(f"Draft {d.id} is {d.status}{again}{where}")
        return 0
    if args.draft:
        draft = await knowledge.draft_gap(args.draft, tickets=k.tickets, causes=k.causes, drafts=k.drafts,
                                          org=k.org, clock=k.clock, new_id=k.new_id, llm=k.llm)
        if args.json:
            print_json({"draft_id": draft.id, "gap": draft.gap_key, "markdown": draft.markdown()})
        else:
            print(f"Draft {draft.id} (publish: fixloop gaps --publish {draft.id} --as YOU)\n")
            print(draft.markdown())
        return 0
    gaps = await knowledge.knowledge_gaps(tickets=k.tickets, causes=k.causes, drafts=k.drafts, org=k.org,
                                          clock=k.clock)
    if args.json:
        per_surface: dict[str, list[dict[str, object]]] = {}
        for g in gaps:
            if len(per_surface.setdefault(g.surface, [])) < args.limit:
                per_surface[g.surface].append(g.to_dict())
        print_json({"generated_at": datetime.now(UTC).isoformat(), "gaps": per_surface})
    else:
        print(gaps_text(gaps, limit=args.limit))
    return 0


async def attach_knowledge(document: Digest, period: Period, desk: Ledger, sessions: Any) -> Digest:
    """Add the knowledge section (published articles, open gaps) to a composed digest."""
    document.knowledge = await knowledge.knowledge_digest(
        period, tickets=desk.tickets, causes=desk.causes, drafts=SqlDraftRepository(sessions), org=desk.org,
        run=asyncio.to_thread)
    return document
