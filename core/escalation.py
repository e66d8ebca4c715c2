"""Escalations: routing to the team that owns the fix, with the evidence attached."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from core.tickets import Judgement


@dataclass
class Evidence:
    summary: str
    transcript: list[dict[str, str]] = field(default_factory=list)  # {"role", "author", "text"}
    articles_tried: list[dict[str, str]] = field(default_factory=list)  # {"id", "title"}
    similar_tickets: list[dict[str, str]] = field(default_factory=list)  # {"id", "subject", "status"}
    likely_cause: dict[str, str] | None = None  # {"key", "title"}
    requester: str = ""
    surface: str = ""
    attachments: list[dict[str, object]] = field(default_factory=list)  # core/attachments.Attachment.to_dict

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for storage and for the chat adapters."""
        return {
            "summary": self.summary,
            "transcript": self.transcript,
            "articles_tried": self.articles_tried,
            "similar_tickets": self.similar_tickets,
            "likely_cause": self.likely_cause,
            "requester": self.requester,
            "surface": self.surface,
            "attachments": self.attachments,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Evidence:
        """Rebuild evidence stored with to_dict."""
        return cls(
            summary=str(data.get("summary", "")),
            transcript=list(data.get("transcript") or []),  # type: ignore[call-overload]
            articles_tried=list(data.get("articles_tried") or []),  # type: ignore[call-overload]
            similar_tickets=list(data.get("similar_tickets") or []),  # type: ignore[call-overload]
            likely_cause=data.get("likely_cause"),  # type: ignore[arg-type]
            requester=str(data.get("requester", "")),
            surface=str(data.get("surface", "")),
            attachments=list(data.get("attachments") or []),  # type: ignore[call-overload]
        )


@dataclass
class Escalation:
    id: str
    ticket_id: str
    from_agent: str
    to_team: str
    reason: str
    created_at: datetime
    evidence: Evidence
    suggested_team: str | None = None  # what Fixloop proposed, to measure routing
    judgement: Judgement | None = None
    judged_at: datetime | None = None
    judged_by: str | None = None
    version: int = field(default=0, compare=False)  # as read from the store; 0: not read from it

    def judge(self, judgement: Judgement, at: datetime, by: str) -> None:
        """Record the owning team's verdict: needed, or could have been solved at tier 1."""
        self.judgement = judgement
        self.judged_at = at
        self.judged_by = by


@dataclass(frozen=True)
class RoutingSuggestion:
    team: str | None
    why: str


def new_escalation_id() -> str:
    """A short escalation id."""
    return "ESC-" + secrets.token_hex(4).upper()
