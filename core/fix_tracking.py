"""Use cases of fixes that live in a tracker: file the issue, and apply what the tracker says of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.audit import AuditAction, AuditEntry, short
from core.causes import Cause, FixStatus
from core.errors import InvalidInput
from core.fix_issue import ThreadLink, fix_issue_draft
from core.fix_news import announce_fix
from core.fixes import cause_for
from core.org import STAFF, Org
from core.ports import Clock, UnitOfWork
from core.retries import retry_conflicts
from core.trackers import IssueRef, IssueState, Trackers

COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Filed:
    cause: Cause
    url: str
    new: bool  # False: the cause already had its issue, and that one is given back


async def file_fix_issue(
    ref: str,
    by: str | None,
    platform: str | None = None,
    *,
    uow: UnitOfWork,
    trackers: Trackers,
    org: Org,
    clock: Clock,
    thread_link: ThreadLink,
) -> Filed:
    """File the cause's fix issue in its owner's tracker with the evidence; filing twice gives the first."""
    # None: the operator at the command line
    who = COMMAND_LINE if by is None else org.acting(by, *STAFF, platform=platform)
    async with uow:  # a read only: no transaction stays open while the tracker is called
        cause = await cause_for(ref, causes=uow.causes, tickets=uow.tickets)
        if cause.fix_url:
            return Filed(cause, cause.fix_url, new=False)
        own = await uow.tickets.list(cause_key=cause.key)
    found = trackers.for_team(cause.owner)
    if found is None:
        raise InvalidInput(
            f"Team {cause.owner or '(none)'} owns {cause.key} but has no tracker: add "
            f"[teams.{cause.owner or 'KEY'}.tracker] to fixloop.toml and its credentials to the environment."
        )
    tracker, setup = found
    draft = fix_issue_draft(cause, own, now=clock.now(), weights=org.weights, link=thread_link)
    issue = await tracker.file_issue(setup.project, draft, setup.issue_type)
    # Only the recording is run again on a Conflict: running all again would file a second issue.
    return await retry_conflicts(lambda: _record_filed(cause.key, issue, who, uow=uow, clock=clock))


async def _record_filed(key: str, issue: IssueRef, who: str, *, uow: UnitOfWork, clock: Clock) -> Filed:
    """Link the filed issue to the cause with its audit entry, in one transaction."""
    async with uow:
        cause = await cause_for(key, causes=uow.causes, tickets=uow.tickets)
        if cause.fix_url:  # linked meanwhile by someone else: theirs stands
            return Filed(cause, cause.fix_url, new=False)
        now = clock.now()
        cause.fix_tracker, cause.fix_issue, cause.fix_filed_at = issue.tracker, issue.issue, now
        cause.link_fix(issue.url)
        await uow.causes.save(cause)
        entry = AuditEntry(now, who, AuditAction.FIX_FILED, cause_key=cause.key, detail=short(issue.url))
        await uow.audit.record(entry)
        await uow.commit()
    return Filed(cause, issue.url, new=True)


async def apply_issue_states(
    tracker: str, states: Sequence[IssueState], *, uow: UnitOfWork, clock: Clock
) -> list[Cause]:
    """Apply what a tracker says of its issues (webhook or poll batch) in one transaction; the changed."""
    changed = []
    async with uow:
        for state in states:
            cause = await uow.causes.find_by_issue(tracker, state.issue)
            if cause is None or (cause.fix_changed_at is not None and state.at <= cause.fix_changed_at):
                continue  # not ours, or a redelivery or older news: no second effect
            action = _transition(cause, state)
            cause.fix_changed_at = state.at
            await uow.causes.save(cause)
            if action is None:
                continue
            now = clock.now()
            await uow.audit.record(_applied(tracker, state, action, cause, now))
            if action == AuditAction.FIX_SHIPPED:
                await announce_fix(cause, uow, now)
            changed.append(cause)
        await uow.commit()
    return changed


def _applied(tracker: str, state: IssueState, action: AuditAction, cause: Cause, now: datetime) -> AuditEntry:
    done = "done" if state.done else "reopened"
    detail = short(f"{tracker} {state.issue} {done} at {state.at.isoformat()}")
    return AuditEntry(now, tracker, action, cause_key=cause.key, detail=detail)


def _transition(cause: Cause, state: IssueState) -> AuditAction | None:
    """Ship a fix whose issue is done; take one whose issue reopened back to linked."""
    shipped = cause.fix_status in (FixStatus.SHIPPED, FixStatus.REGRESSED)
    if state.done and not shipped:
        cause.ship_fix(state.at)
        return AuditAction.FIX_SHIPPED
    if not state.done and shipped:
        cause.reopen_fix()
        return AuditAction.FIX_REOPENED
    return None
