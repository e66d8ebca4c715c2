"""Use cases of fixes that live in a tracker: file the issue, and apply what the tracker says of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.audit import AuditAction, AuditEntry, short
from core.causes import Cause, FixStatus
from core.errors import InvalidInput
from core.fix_issue import ThreadLink, fix_issue_draft
from core.fix_news import announce_fix
from core.fixes import cause_for
from core.org import Org, PersonRole
from core.ports import AuditLog, CauseRepository, Clock, Notifier, TicketRepository
from core.trackers import IssueState, Trackers

COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Filed:
    cause: Cause
    url: str
    new: bool  # False: the cause already had its issue, and that one is given back


async def file_fix_issue(
    ref: str,
    by: str | None,
    *,
    causes: CauseRepository,
    tickets: TicketRepository,
    trackers: Trackers,
    org: Org,
    clock: Clock,
    audit: AuditLog,
    link: ThreadLink,
) -> Filed:
    """File the cause's fix issue in its owner's tracker with the evidence; filing twice gives the first."""
    if by is not None:  # None: the operator at the command line
        org.require(by, PersonRole.AGENT, PersonRole.MANAGER, PersonRole.LEADER)
    cause = await cause_for(ref, causes=causes, tickets=tickets)
    if cause.fix_url:
        return Filed(cause, cause.fix_url, new=False)
    found = trackers.for_team(cause.owner)
    if found is None:
        raise InvalidInput(
            f"Team {cause.owner or '(none)'} owns {cause.key} but has no tracker: add "
            f"[teams.{cause.owner or 'KEY'}.tracker] to fixloop.toml and its credentials to the environment."
        )
    tracker, setup = found
    now = clock.now()
    draft = fix_issue_draft(
        cause, await tickets.list(cause_key=cause.key), now=now, weights=org.weights, link=link
    )
    issue = await tracker.file_issue(setup.project, draft, setup.issue_type)
    cause.fix_tracker, cause.fix_issue, cause.fix_filed_at = issue.tracker, issue.issue, now
    cause.link_fix(issue.url)
    await causes.save(cause)
    await audit.record(
        AuditEntry(now, _who(org, by), AuditAction.FIX_FILED, cause_key=cause.key, detail=short(issue.url))
    )
    return Filed(cause, issue.url, new=True)


def _who(org: Org, by: str | None) -> str:
    person = org.person(by) if by else None
    return person.key if person else (by or COMMAND_LINE)


async def apply_issue_states(
    tracker: str,
    states: Sequence[IssueState],
    *,
    causes: CauseRepository,
    tickets: TicketRepository,
    clock: Clock,
    audit: AuditLog,
    notifier: Notifier,
) -> list[Cause]:
    """Apply what a tracker says of its issues (webhook or poll); returns the causes that changed."""
    changed = []
    for state in states:
        cause = await causes.find_by_issue(tracker, state.issue)
        if cause is None or (cause.fix_changed_at is not None and state.at <= cause.fix_changed_at):
            continue  # not ours, or a redelivery or older news: no second effect
        action = _transition(cause, state)
        cause.fix_changed_at = state.at
        await causes.save(cause)
        if action is None:
            continue
        detail = f"{tracker} {state.issue} {'done' if state.done else 'reopened'} at {state.at.isoformat()}"
        entry = AuditEntry(clock.now(), tracker, action, cause_key=cause.key, detail=short(detail))
        await audit.record(entry)
        if action == AuditAction.FIX_SHIPPED:
            await announce_fix(cause, tickets=tickets, notifier=notifier, clock=clock)
        changed.append(cause)
    return changed


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
