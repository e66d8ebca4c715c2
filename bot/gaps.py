"""`fixloop gaps`: knowledge gaps per surface, drafts for them, and the owner's publish or discard."""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from adapters.db.drafts import SqlDraftRepository
from adapters.kb_export import MarkdownFolder
from bot.wiring import Runtime
from core import knowledge
from core.gaps import gaps_text


def add_parser(sub: Any) -> None:
    """Register `gaps` on the top-level subparsers."""
    gaps = sub.add_parser("gaps", help="groups of tickets people solved without an article, and drafts")
    gaps.add_argument("--json", action="store_true")
    gaps.add_argument("--limit", type=int, default=10, help="gaps per surface")
    gaps.add_argument("--draft", metavar="GAP", help="draft an article from a gap's tickets (key from the list)")
    gaps.add_argument("--publish", metavar="DRAFT", help="publish a draft into the knowledge base")
    gaps.add_argument("--discard", metavar="DRAFT", help="discard a draft")
    gaps.add_argument("--as", dest="who", help="with --publish/--discard: your person key in fixloop.toml")


def ports(runtime: Runtime) -> dict[str, Any]:
    """The repositories and settings the knowledge use cases take."""
    desk = runtime.desk
    return {"tickets": desk.tickets, "causes": desk.causes, "drafts": SqlDraftRepository(runtime.engine),
            "org": desk.org, "clock": desk.clock}


def export_folder(runtime: Runtime) -> MarkdownFolder:
    """Where published articles are written as Markdown."""
    return MarkdownFolder(runtime.settings.fixloop_kb_export_dir)


async def run(runtime: Runtime, args: argparse.Namespace) -> int:
    """List gaps, draft one, or decide a draft."""
    from bot.cli import print_json

    p = ports(runtime)
    if args.publish or args.discard:
        if not args.who:
            print("fixloop: --publish and --discard need --as PERSON (an agent or leader).", file=sys.stderr)
            return 2
        decision = await knowledge.decide_draft(
            args.publish or args.discard, "publish" if args.publish else "discard", args.who, platform=None,
            drafts=p["drafts"], articles=runtime.desk.articles, library=runtime.desk.library,
            export=export_folder(runtime), org=p["org"], clock=p["clock"])
        d = decision.draft
        print(f"Draft {d.id} is {d.status}" + ("" if decision.changed else " (already; nothing changed)")
              + (f"; article {d.article_key} written to {decision.exported_to}" if decision.exported_to else ""))
        return 0
    if args.draft:
        draft = await knowledge.draft_gap(args.draft, new_id=lambda: uuid.uuid4().hex[:10], **p)
        if args.json:
            print_json({"draft_id": draft.id, "gap": draft.gap_key, "markdown": draft.markdown()})
        else:
            print(f"Draft {draft.id} (publish: fixloop gaps --publish {draft.id} --as YOU)\n\n{draft.markdown()}")
        return 0
    gaps = await knowledge.knowledge_gaps(**p)
    shown = [g for s in sorted({g.surface for g in gaps}) for g in gaps if g.surface == s][: args.limit * 2]
    if args.json:
        per_surface: dict[str, list[dict[str, object]]] = {}
        for g in gaps:
            if len(per_surface.setdefault(g.surface, [])) < args.limit:
                per_surface[g.surface].append(g.to_dict())
        print_json({"generated_at": datetime.now(UTC).isoformat(), "gaps": per_surface})
    else:
        print(gaps_text(shown, limit=args.limit))
    return 0
