"""Coaching selection on a ledger with known strong and weak tickets, and the review summary for `fixloop kpis`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.coaching import Review, coaching_prompts, format_review_summary, pick_for_review, review_summary
from core.kpis import Period
from core.tickets import Judgement, Message, Resolution, Role, Surface, Ticket
from tests.fakes import sample_org

T0 = datetime(2026, 11, 9, 9, tzinfo=UTC)
GOOD_NOTES = "Error 0x80 since 08:30, tried a restart and cleared the cache"


def worked(tid: str, agent: str, notes: str = GOOD_NOTES, **kw) -> Ticket:
    t = Ticket(tid, Surface.INTERNAL, T0, agents=kw.pop("agents", [agent]), **kw)
    t.messages.append(Message(at=T0, role=Role.AGENT, author=agent, text=notes))
    t.resolve(T0 + timedelta(hours=2), Resolution.AGENT)
    return t


def ledger() -> list[Ticket]:
    return [
        worked("ANA-STAR", "ana", csat=5),  # +3 CSAT, +1 first contact
        worked("ANA-OK", "ana", csat=4),
        worked("ANA-VAGUE", "ana", notes="done", csat=3),  # first contact +1, vague notes -1: 0
        worked("ANA-POOR", "ana", csat=2, escalated_at=T0, escalation_judgement=Judgement.NOT_NEEDED),
        worked("BEN-HANDOFF", "ben", agents=["ana", "ben"], notes="fixed"),  # hand-off, vague notes: weak
        worked("BEN-GOOD", "ben", escalated_at=T0, escalation_judgement=Judgement.NEEDED, csat=4),
    ]


def test_the_strong_and_weak_tickets_are_the_known_ones_with_their_reasons():
    strong, weak = pick_for_review(ledger(), "ana")
    assert strong.ticket.id == "ANA-STAR" and strong.reasons == ("CSAT 5/5", "resolved at first contact")
    assert weak.ticket.id == "ANA-POOR" and set(weak.reasons) == {"CSAT 2/5", "escalation judged unnecessary"}
    strong, weak = pick_for_review(ledger(), "ben")
    assert strong.ticket.id == "BEN-GOOD" and "escalated to the right team" in strong.reasons
    assert weak.ticket.id == "BEN-HANDOFF"
    assert weak.reasons == ("notes miss the error, the time or the steps tried",)


def test_notes_name_exactly_what_they_miss():
    [_, weak] = pick_for_review([worked("X", "ana", notes="Error 500 on save, nothing else", csat=2)], "ana")
    assert weak.reasons == ("CSAT 2/5", "resolved at first contact", "notes miss the time or the steps tried")


def test_prompts_reach_each_manager_with_the_template_and_json_data():
    prompts = coaching_prompts(sample_org(), ledger(), T0, T0 + timedelta(days=7))
    assert [(p.manager, p.agent) for p in prompts] == [("mia", "ana"), ("mia", "ben")]
    data = prompts[0].to_dict()
    assert data["strong"]["ticket_id"] == "ANA-STAR" and data["weak"]["reasons"]
    assert "What changes next time" in prompts[0].to_text()


def test_reviews_are_counted_per_agent_and_per_manager_within_the_period():
    week = Period(T0, T0 + timedelta(days=7))
    reviews = [
        Review(
            f"R{i}",
            "FX",
            agent,
            manager,
            "a",
            "b",
            "c",
            "d",
            created_at=T0 + timedelta(days=d),
            sent_to_agent=i == 0,
        )
        for i, (agent, manager, d) in enumerate(
            [("ana", "mia", 1), ("ana", "mia", 2), ("ben", "max", 3), ("ben", "mia", 9)]
        )
    ]
    summary = review_summary(reviews, week)
    assert summary == {
        "count": 3,
        "sent_to_agent": 1,
        "per_agent": {"ana": 2, "ben": 1},
        "per_manager": {"max": 1, "mia": 2},
    }
    assert "per agent: ana 2, ben 1" in format_review_summary(summary)
