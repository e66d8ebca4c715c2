"""A week after a ticket review: the manager says whether the agreed change happened, once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from core.audit import AuditAction, AuditEntry, short
from core.coaching import FollowUpAnswer, Review
from core.errors import InvalidInput, NotAllowed, ReviewNotFound
from core.messages import AnswerFollowUp
from core.org import Org
from core.periods import Period
from core.ports import Clock, UnitOfWork

NOTE_MAX = 2000


async def answer_follow_up(cmd: AnswerFollowUp, *, uow: UnitOfWork, org: Org, clock: Clock) -> Review:
    """Store the review's manager's answer; anyone else, or a second answer, is refused with the reason."""
    async with uow:
        review = await uow.reviews.get(cmd.review_id.strip())
        if review is None:
            raise ReviewNotFound(cmd.review_id)
        person = org.person(cmd.by, cmd.platform)
        if person is None or person.key != review.manager:
            raise NotAllowed(
                f"Only {review.manager}, who wrote review {review.id} of {review.ticket_id}, "
                "can answer its follow-up."
            )
        if review.answer is not None:
            a = review.answer
            raise InvalidInput(
                f'Review {review.id} was already answered "{a.label}" on {a.at:%Y-%m-%d %H:%M} UTC; '
                "the first answer stands."
            )
        note = cmd.note.strip()
        if len(note) > NOTE_MAX:
            raise InvalidInput(f"The note is {len(note)} characters; keep it under {NOTE_MAX}.")
        answered = replace(review, answer=FollowUpAnswer(cmd.changed, person.key, clock.now(), note))
        await uow.reviews.save(answered)
        label = "it changed" if cmd.changed else "not yet"
        await uow.audit.record(
            AuditEntry(
                at=clock.now(),
                who=person.key,
                action=AuditAction.FOLLOW_UP_ANSWERED,
                ticket_id=review.ticket_id,
                review_id=review.id,
                detail=short(f"{label}: {note}" if note else label),
            )
        )
        await uow.commit()
    return answered


def follow_up_summary(reviews: Iterable[Review], period: Period) -> dict[str, Any]:
    """Follow-ups asked and answered in the period: how many changes happened, per manager."""
    listed = list(reviews)
    asked = [r for r in listed if r.follow_up_at is not None and period.contains(r.follow_up_at)]
    answers = [r for r in listed if r.answer is not None and period.contains(r.answer.at)]
    changed = Counter(r.manager for r in answers if r.answer and r.answer.changed)
    not_yet = Counter(r.manager for r in answers if r.answer and not r.answer.changed)
    managers = sorted(set(changed) | set(not_yet))
    return {
        "asked": len(asked),
        "answered": len(answers),
        "changed": sum(changed.values()),
        "not_yet": sum(not_yet.values()),
        "per_manager": {m: {"changed": changed[m], "not_yet": not_yet[m]} for m in managers},
    }


def format_follow_ups(summary: dict[str, Any]) -> str:
    """The follow-up line of `fixloop kpis`."""
    per = ", ".join(
        f"{m} {v['changed']} changed / {v['not_yet']} not yet" for m, v in summary["per_manager"].items()
    )
    return (
        f"  follow-ups: {summary['asked']} asked, {summary['answered']} answered "
        f"({summary['changed']} yes, it changed; {summary['not_yet']} not yet)" + (f"; {per}" if per else "")
    )
