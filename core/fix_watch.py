"""Watch whether a shipped fix held: a cause whose tickets keep coming after its fix is marked regressed.

The rule, from the cause's own history before the fix (s = fix_shipped_at, a week = 7 days):
B = the mean weekly tickets over the four weeks before s, R = the mean weekly distinct requesters over
those weeks. For four weeks after s, the fix did not hold when the last seven days since s bring
n tickets from r distinct requesters with n > B / 2 (the threshold fix_hold_rate uses, so the live
watch and the KPI agree), n >= 2 and r >= max(2, R / 2): one stray ticket, or one person asking again,
is a conversation in their thread, not proof that the fix failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit import AuditAction, AuditEntry
from core.causes import Cause, FixStatus
from core.ports import CauseRepository, Clock, Notice, UnitOfWork
from core.tickets import Ticket
from core.trackers import IssueDraft, Item, Trackers

log = logging.getLogger(__name__)
WEEK = timedelta(days=7)
WATCH = 4 * WEEK


@dataclass(frozen=True)
class Relapse:
    tickets: tuple[Ticket, ...]  # the new tickets of the last seven days
    requesters: int
    baseline: float  # B: tickets a week before the fix


def relapse(cause: Cause, own: Sequence[Ticket], now: datetime) -> Relapse | None:
    """The evidence that a shipped fix did not hold, or None while it holds (see the module's rule)."""
    s = cause.fix_shipped_at
    if s is None or cause.fix_status != FixStatus.SHIPPED or not s <= now < s + WATCH:
        return None
    before = [t for t in own if s - 4 * WEEK <= t.created_at < s]
    baseline = len(before) / 4
    weeks = [[t for t in before if s - (k + 1) * WEEK <= t.created_at < s - k * WEEK] for k in range(4)]
    weekly_people = sum(len({t.requester for t in week}) for week in weeks) / 4
    recent = tuple(t for t in own if max(s, now - WEEK) <= t.created_at < now)
    people = len({t.requester for t in recent})
    if len(recent) >= 2 and len(recent) > baseline / 2 and people >= max(2.0, weekly_people / 2):
        return Relapse(recent, people, baseline)
    return None


async def watch_fixes(
    *, causes: CauseRepository, uow: UnitOfWork, trackers: Trackers, clock: Clock
) -> list[Cause]:
    """Mark regressed every shipped fix that did not hold; tell its owner and comment on its issue."""
    now, regressed = clock.now(), []
    for listed in await causes.list():
        if listed.fix_status != FixStatus.SHIPPED:
            continue
        async with uow:  # one transaction per cause: the mark, its notices and its audit entry
            cause = await uow.causes.get(listed.key)
            found = relapse(cause, await uow.tickets.list(cause_key=cause.key), now) if cause else None
            if cause is None or found is None:
                continue
            cause.regress(now)
            await uow.causes.save(cause)
            detail = f"{len(found.tickets)} tickets from {found.requesters} people"
            entry = AuditEntry(now, "fixloop", AuditAction.FIX_REGRESSED, cause_key=cause.key, detail=detail)
            await uow.audit.record(entry)
            text = _evidence(cause, found)
            for notice in _notices(cause, found, text):
                uow.notify(notice)
            await uow.commit()
        await _comment(cause, found, text, trackers)  # after the commit: the tracker is not ours to roll back
        regressed.append(cause)
    return regressed


def _evidence(cause: Cause, found: Relapse) -> str:
    return (f"The fix did not hold: {cause.title} brought {len(found.tickets)} new tickets from "
            f"{found.requesters} people in the last 7 days, against {found.baseline:.1f} a week before "
            "the fix.")


def _notices(cause: Cause, found: Relapse, text: str) -> list[Notice]:
    shipped = cause.fix_shipped_at.isoformat() if cause.fix_shipped_at else ""
    data = {"cause_key": cause.key, "title": cause.title, "fix_url": cause.fix_url,
            "evidence": [t.id for t in found.tickets[:5]]}
    return [Notice(kind="fix_regressed", to=to, text=text, data=data,
                   key=f"fix-regressed:{cause.key}:{to}:{shipped}")
            for to in ([f"team:{cause.owner}"] if cause.owner else []) + ["triage"]]


async def _comment(cause: Cause, found: Relapse, text: str, trackers: Trackers) -> None:
    found_tracker = trackers.clients.get(cause.fix_tracker or "")
    if found_tracker is None or not cause.fix_issue:
        return
    comment = IssueDraft(title="Fixloop: the fix did not hold", intro=(text,), sections=(
        ("New tickets", tuple(Item(f"{t.id} ({t.created_at:%Y-%m-%d})") for t in found.tickets[:5])),))
    try:
        await found_tracker.comment(cause.fix_issue, comment)
    except Exception:  # a fan-out reaction: the cause is marked and the owner told whatever the tracker says
        log.exception("could not comment on %s %s", cause.fix_tracker, cause.fix_issue)
