"""Use cases of missing knowledge: list the gaps, draft an article for one, publish or discard it."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from core.audit import AuditAction, AuditEntry, short
from core.drafts import Draft, DraftStatus, draft_from_gap
from core.errors import InvalidInput, InvalidTransition
from core.gaps import Gap, find_gaps, group_gaps
from core.kb import Library
from core.org import Org, PersonRole
from core.periods import Period
from core.ports import (
    ArticleRepository,
    CauseRepository,
    Clock,
    LanguageModel,
    Notice,
    Offload,
    TicketRepository,
    UnitOfWork,
    offloaded,
)
from core.redaction import redact
from core.retries import retry_conflicts
from core.tickets import Resolution, Ticket

log = logging.getLogger("fixloop.knowledge")
OWNERS = (PersonRole.AGENT, PersonRole.LEADER)  # who may publish, edit or discard a draft
# The gaps' grouping takes seconds for tens of thousands of tickets (core/phrase_groups.py): a worker thread
# does it when serving.
Grouping = Offload[list[Gap]]
GAP_TICKETS = 50_000  # the newest tickets solved without an article that gaps are found among


class DraftRepository(Protocol):
    async def get(self, draft_id: str) -> Draft | None: ...
    async def save(self, draft: Draft) -> None: ...
    async def decide(self, draft: Draft) -> bool: ...
    async def list(self, *, status: DraftStatus | None = None) -> builtins.list[Draft]: ...


class KnowledgeUnit(UnitOfWork, Protocol):
    """A unit of work that stores drafts too: a decision, its article, audit and notice commit together."""

    @property
    def drafts(self) -> DraftRepository: ...


class ArticleExport(Protocol):
    def write(self, article_id: str, markdown: str) -> str:
        """Store the article's Markdown file; return where it went."""
        ...


@dataclass(frozen=True)
class Decision:
    """What a Publish / Discard click did: the draft as it is now, and whether this click decided it."""

    draft: Draft
    changed: bool
    exported_to: str | None = None


async def knowledge_gaps(*, tickets: TicketRepository, causes: CauseRepository, drafts: DraftRepository,
                         org: Org, clock: Clock, since: datetime | None = None,
                         run: Grouping | None = None) -> list[Gap]:
    """Gaps ranked per surface; a gap whose draft was published is covered and drops out."""
    published = [d.gap_key for d in await drafts.list(status=DraftStatus.PUBLISHED)]
    # Only the tickets a gap can hold are read (the newest GAP_TICKETS of them), never the whole ledger.
    candidates = await tickets.gap_candidates(since=since, limit=GAP_TICKETS)
    known, now = await causes.list(), clock.now()
    return await offloaded(run, lambda: group_gaps(candidates, known, now=now, weights=org.weights,
                                                   covered=published))


async def draft_gap(gap_key: str, *, tickets: TicketRepository, causes: CauseRepository,
                    drafts: DraftRepository, org: Org, clock: Clock,
                    new_id: Callable[[], str], llm: LanguageModel | None = None,
                    run: Grouping | None = None) -> Draft:
    """The open draft for a gap, made from its tickets when there is none yet (asking twice: one draft)."""
    for d in await drafts.list(status=DraftStatus.DRAFT):
        if d.gap_key == gap_key:
            return d
    gaps = await knowledge_gaps(tickets=tickets, causes=causes, drafts=drafts, org=org, clock=clock, run=run)
    gap = next((g for g in gaps if g.key == gap_key), None)
    if gap is None:
        raise InvalidInput(f"No knowledge gap {gap_key!r}: `fixloop gaps` lists them.")
    own = await tickets.get_many(gap.ticket_ids)
    cause = await causes.get(gap.group) if not gap.group.startswith("phrase:") else None
    draft = draft_from_gap(new_id(), gap, own, cause, at=clock.now())
    if llm is not None:
        draft = await worded(draft, llm)
    await drafts.save(draft)
    return draft


async def worded(draft: Draft, llm: LanguageModel) -> Draft:
    """The model names the problem and states it in a sentence; the steps stay the agents' own words.

    Only the title and the problem are the model's (redacted on the way in and out): a step no ticket
    contains would be an invented fix, so steps are never written by the model.
    """
    named = await llm.name_cause([*draft.symptoms, *draft.steps])
    if not named:
        return draft  # the model is off, slow or wrong: the extractive draft stands
    title, problem = (" ".join(redact(part).split()) for part in named)
    return replace(draft, title=title[:120] or draft.title, problem=problem[:600] or draft.problem)


async def decide_draft(draft_id: str, action: str, who: str, *, platform: str | None, uow: KnowledgeUnit,
                       library: Library, export: ArticleExport | None, org: Org, clock: Clock) -> Decision:
    """Publish or discard a draft, once: a second click (or a replay) changes nothing and says so.

    The draft's new state, the article, the audit entry and the leaders' notice commit in one transaction;
    only then does the article enter the live knowledge base and its Markdown file get written.
    """
    org.require(who, *OWNERS, platform=platform)
    if action not in ("publish", "discard"):
        raise InvalidInput(f"Unknown action {action!r}: publish or discard.")
    async with uow:
        draft = await uow.drafts.get(draft_id)
        if draft is None:
            raise InvalidInput(f"No draft {draft_id!r}.")
        if draft.status != DraftStatus.DRAFT:
            return Decision(draft, changed=False)
        publish = action == "publish"
        decided = replace(draft, status=DraftStatus.PUBLISHED if publish else DraftStatus.DISCARDED,
                          decided_at=clock.now(), decided_by=who,
                          article_id=draft.article_key if publish else None)
        if not await uow.drafts.decide(decided):  # another click or replica decided first
            return Decision(await uow.drafts.get(draft_id) or draft, changed=False)
        person = org.person(who, platform)
        await uow.audit.record(AuditEntry(
            decided.decided_at or clock.now(), person.key if person else who,
            AuditAction.ARTICLE_PUBLISHED if publish else AuditAction.DRAFT_DISCARDED,
            detail=short(f"{decided.article_key}: {decided.title}")))
        if publish:
            await uow.articles.save(decided.to_article())
            uow.notify(published_notice(decided, person.key if person else who))
        await uow.commit()
    if not publish:
        return Decision(decided, changed=True)
    library.add(decided.to_article())  # suggestions use it from the next question on
    return Decision(decided, changed=True, exported_to=exported(export, decided))


def published_notice(draft: Draft, who: str) -> Notice:
    """The leaders hear that a gap now has an article (once per draft, however often it is sent)."""
    return Notice(kind="article_published", to="leaders", key=f"article_published:{draft.id}",
                  text=f"{who} published '{draft.title}' ({draft.article_key}) from a knowledge gap of "
                       f"{len(draft.ticket_ids)} tickets; suggestions use it now.",
                  data={"article_id": draft.article_key, "draft_id": draft.id, "gap": draft.gap_key})


def exported(export: ArticleExport | None, draft: Draft) -> str | None:
    """Write the published article's Markdown file; where it went (None: no folder, or it failed)."""
    if export is None:
        return None
    try:
        return export.write(draft.article_key, draft.markdown())
    except OSError:  # the article is live and in the database; the file is a copy an admin can rewrite
        log.exception("could not export article %s", draft.article_key)
        return None


async def edit_draft(draft_id: str, who: str, *, platform: str | None, title: str | None = None,
                     problem: str | None = None, steps: Sequence[str] | None = None, drafts: DraftRepository,
                     org: Org) -> Draft:
    """Change an undecided draft's title, problem or steps (the owner's words replace the extract)."""
    org.require(who, *OWNERS, platform=platform)
    draft = await drafts.get(draft_id)
    if draft is None:
        raise InvalidInput(f"No draft {draft_id!r}.")
    if draft.status != DraftStatus.DRAFT:
        raise InvalidTransition(f"This draft was already {draft.status}.")
    changed = replace(draft, title=(title or draft.title).strip()[:120],
                      problem=(problem or draft.problem).strip(),
                      steps=[s.strip() for s in steps if s.strip()] if steps is not None else draft.steps)
    await drafts.save(changed)
    return changed


@dataclass(frozen=True)
class Published:
    """A new article in the digest: when it went live and how many tickets it has solved since."""

    article_id: str
    title: str
    published_at: datetime
    solved_since: int


def knowledge_section(drafts: Sequence[Draft], tickets: Sequence[Ticket], period: Period) -> list[Published]:
    """Articles published from gaps up to the period's end, with the tickets each solved since."""
    out = []
    for d in drafts:
        if d.status != DraftStatus.PUBLISHED or not d.decided_at or d.decided_at >= period.end:
            continue
        solved = sum(1 for t in tickets
                     if t.resolution == Resolution.ARTICLE and t.article_id == d.article_key
                     and t.resolved_at is not None and d.decided_at <= t.resolved_at < period.end)
        out.append(Published(d.article_key, d.title, d.decided_at, solved))
    out.sort(key=lambda p: (-p.solved_since, p.published_at))
    return out


@dataclass
class KnowledgeDesk:
    """The knowledge use cases bound to their ports once, for the CLI and the chat adapters."""

    tickets: TicketRepository
    causes: CauseRepository
    drafts: DraftRepository
    articles: ArticleRepository
    library: Library
    org: Org
    clock: Clock
    export: ArticleExport | None
    new_id: Callable[[], str]
    uow: Callable[[], KnowledgeUnit]  # one transaction per decision
    llm: LanguageModel | None = None  # words the title and problem when configured (see worded)
    run: Grouping | None = None  # where the gaps are grouped (a worker thread when serving)

    def require_owner(self, who: str, platform: str | None) -> None:
        """Refuse anyone who is not an agent or a leader (the knowledge owners)."""
        self.org.require(who, *OWNERS, platform=platform)

    async def gaps(self, who: str, platform: str | None) -> list[Gap]:
        """The ranked gaps, for knowledge owners."""
        self.require_owner(who, platform)
        return await knowledge_gaps(tickets=self.tickets, causes=self.causes, drafts=self.drafts,
                                    org=self.org, clock=self.clock, run=self.run)

    async def draft(self, gap_key: str, who: str, platform: str | None) -> Draft:
        """The open draft of a gap (made now if there is none)."""
        self.require_owner(who, platform)
        return await draft_gap(gap_key, tickets=self.tickets, causes=self.causes, drafts=self.drafts,
                               org=self.org, clock=self.clock, new_id=self.new_id, llm=self.llm,
                               run=self.run)

    async def decide(self, draft_id: str, action: str, who: str, platform: str | None) -> Decision:
        """Publish or discard, once (a transaction that lost a race is run again and finds it decided)."""
        return await retry_conflicts(lambda: decide_draft(
            draft_id, action, who, platform=platform, uow=self.uow(), library=self.library,
            export=self.export, org=self.org, clock=self.clock))

    async def edit(self, draft_id: str, who: str, platform: str | None, *, title: str | None = None,
                   problem: str | None = None, steps: Sequence[str] | None = None) -> Draft:
        """Change an undecided draft."""
        return await edit_draft(draft_id, who, platform=platform, title=title, problem=problem, steps=steps,
                                drafts=self.drafts, org=self.org)


@dataclass(frozen=True)
class KnowledgeDigest:
    """The digest's knowledge section: articles published from gaps, and the biggest gaps still open."""

    published: list[Published]
    gaps: list[Gap]

    def to_dict(self) -> dict[str, object]:
        """JSON-able, for the Slack and Teams digest renderers."""
        return {"published": [{"article_id": p.article_id, "title": p.title, "solved_since": p.solved_since,
                               "published_at": p.published_at.isoformat()} for p in self.published],
                "gaps": [g.to_dict() for g in self.gaps]}

    def lines(self) -> list[str]:
        """Plain-text lines of the section."""
        out = [f"  - published {p.title} [{p.article_id}]: solved {p.solved_since} tickets since"
               for p in self.published] or ["  - no article published from a gap yet"]
        out += [f"  - gap ({g.surface}): {g.title}, {g.tickets} tickets solved without an article"
                for g in self.gaps]
        return out


GAP_WINDOW = timedelta(days=28)  # gaps in the digest: tickets of the last four weeks, like its top causes


async def knowledge_digest(period: Period, *, tickets: TicketRepository, causes: CauseRepository,
                           drafts: DraftRepository, org: Org, top: int = 3,
                           run: Grouping | None = None) -> KnowledgeDigest:
    """What was published from gaps (and what it solved since), and the top open gaps of four weeks."""
    published = await drafts.list(status=DraftStatus.PUBLISHED)
    starts = [d.decided_at for d in published if d.decided_at]
    since = min([period.end - GAP_WINDOW, *starts])
    recent = await tickets.list(resolved_since=since)
    known, window = await causes.list(), [t for t in recent if t.created_at >= period.end - GAP_WINDOW]
    gaps = await offloaded(run, lambda: find_gaps(window, known, now=period.end, weights=org.weights,
                                                  covered=[d.gap_key for d in published]))
    return KnowledgeDigest(published=knowledge_section(published, recent, period), gaps=gaps[:top])
