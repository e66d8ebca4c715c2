"""The audit log: who escalated, judged, recorded a root cause, linked or shipped a fix or reviewed, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    ESCALATED = "escalated"
    JUDGED = "judged"
    ROOT_CAUSE_RECORDED = "root_cause_recorded"
    FIX_LINKED = "fix_linked"
    FIX_SHIPPED = "fix_shipped"
    FIX_FILED = "fix_filed"
    FIX_REOPENED = "fix_reopened"
    FIX_REGRESSED = "fix_regressed"
    FIX_CONFIRMED = "fix_confirmed"  # the requester: that solved it
    FIX_STILL_HAPPENING = "fix_still_happening"  # the requester: still happening
    REVIEWED = "reviewed"
    FOLLOW_UP_ANSWERED = "follow_up_answered"
    ARTICLE_PUBLISHED = "article_published"  # a draft from a knowledge gap (core/knowledge.py)
    DRAFT_DISCARDED = "draft_discarded"
    SIGNED_IN = "console_signed_in"
    ASSIGNED = "assigned"  # the front line's typed commands (core/frontline.py)
    REPLIED = "replied"
    RESOLVED = "resolved"
    PRIORITY_SET = "priority_set"
    INCIDENT_OPENED = "incident_opened"  # core/incident_flow.py
    INCIDENT_RESOLVED = "incident_resolved"
    TICKETS_LINKED = "tickets_linked"
    DUPLICATE_JOINED = "duplicate_joined"  # core/duplicates.py
    SOLVED_BY_ARTICLE = "solved_by_article"  # the requester's buttons (core/resolution.py)
    ASKED_FOR_PERSON = "asked_for_person"
    REOPENED = "reopened"
    CSAT_RECORDED = "csat_recorded"
    MESSAGE_EDITED = "message_edited"  # core/threads.py: the text before the edit is kept here
    MESSAGE_DELETED = "message_deleted"


@dataclass(frozen=True)
class AuditEntry:
    """One audited action: who did what to which ticket, escalation, cause or review, and when."""

    at: datetime
    who: str  # the person key from fixloop.toml, or the platform user id of someone not in it
    action: AuditAction
    ticket_id: str | None = None
    escalation_id: str | None = None
    cause_key: str | None = None
    review_id: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-able data for `fixloop audit --json`."""
        return {
            "at": self.at.isoformat(),
            "who": self.who,
            "action": self.action.value,
            "ticket_id": self.ticket_id,
            "escalation_id": self.escalation_id,
            "cause_key": self.cause_key,
            "review_id": self.review_id,
            "detail": self.detail,
        }

    def to_text(self) -> str:
        """One line for `fixloop audit`."""
        subjects = (self.ticket_id, self.escalation_id, self.cause_key, self.review_id)
        ids = " ".join(s for s in subjects if s)
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.at.isoformat(timespec='seconds')}  {self.who}  {self.action.value}  {ids}{detail}"


DETAIL_CHARS = 500  # an entry says what happened; the full text stays on the ticket, cause or review


def short(text: str) -> str:
    """A detail shortened for the log, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= DETAIL_CHARS else flat[: DETAIL_CHARS - 1] + "…"
