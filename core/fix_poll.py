"""Read the linked issues' states from trackers that cannot reach Fixloop: batched, one query for many."""

from __future__ import annotations

import logging
from collections import defaultdict

from core.causes import Cause, FixStatus
from core.fix_tracking import apply_issue_states
from core.ports import CauseRepository, Clock, UnitOfWork
from core.trackers import Trackers, project_of

log = logging.getLogger(__name__)


async def poll_trackers(
    *, causes: CauseRepository, uow: UnitOfWork, trackers: Trackers, clock: Clock
) -> list[Cause]:
    """Ask each tracker for the states of its linked issues, one batch per project; apply what changed."""
    # Each project's batch is applied in its own transaction, with no transaction open while a tracker
    # is asked; run again after a Conflict, batches already applied are redeliveries with no effect.
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cause in await causes.list():
        if cause.fix_tracker and cause.fix_issue and cause.fix_status != FixStatus.NONE:
            groups[(cause.fix_tracker, project_of(cause.fix_issue))].append(cause.fix_issue)
    changed: list[Cause] = []
    for (kind, project), issues in sorted(groups.items()):
        client = trackers.clients.get(kind)
        if client is None:
            continue  # linked by URL to a tracker Fixloop has no credentials for
        try:
            states = await client.states(project, sorted(set(issues)))
        except Exception:  # one tracker down must not stop the others; the next poll tries again
            log.exception("could not read %s issues of %s", kind, project)
            continue
        changed += await apply_issue_states(kind, states, uow=uow, clock=clock)
    return changed
