"""Cause ranking by business impact, the digest document, and the choice of coaching tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.causes import Cause, FixStatus, rank_causes, ticket_impact
from core.coaching import coaching_prompts, pick_for_review
from core.digests import compose_digest
from core.kpis import Period
from core.org import ImpactWeights
from core.tickets import Judgement, Message, Priority, Resolution, Role, Status, Surface, Ticket
from tests.fakes import sample_org

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
WEIGHTS = ImpactWeights(priority={"low": 0.5, "normal": 1.0, "high": 2.0, "urgent": 4.0},
                        surface={"internal": 1.0, "external": 1.5}, hours_cap=72.0)


def ticket(tid: str, *, cause: str | None = None, surface: Surface = Surface.INTERNAL, hours: float | None = 2,
           priority: Priority = Priority.NORMAL, users: int = 0, created: datetime = T0, **kw) -> Ticket:
    t = Ticket(id=tid, surface=surface, created_at=created, priority=priority, cause_key=cause,
               affected_users=users, **kw)
    if hours is not None:
        t.resolve(created + timedelta(hours=hours), Resolution.AGENT)
    return t


def test_ticket_impact_follows_the_design_formula():
    # 2 (high) x 1.5 (external) x (1 + 9 users) x 3 hours = 90
    assert ticket_impact(ticket("A", priority=Priority.HIGH, surface=Surface.EXTERNAL, users=9, hours=3),
                         T0, WEIGHTS) == 90
    # open for 100 hours at `now`, capped at 72: 1 x 1 x 1 x 72
    assert ticket_impact(ticket("B", hours=None), T0 + timedelta(hours=100), WEIGHTS) == 72


def test_causes_rank_by_impact_with_volume_beside_it_and_cross_surface_flagged():
    causes = [Cause("many-small", "Many small"), Cause("few-big", "Few big"), Cause("unused", "No tickets")]
    tickets = [ticket(f"S{i}", cause="many-small", hours=1) for i in range(5)]  # 5 x 1 = 5
    tickets += [ticket("B1", cause="few-big", surface=Surface.EXTERNAL, hours=4),  # 1.5 x 4 = 6
                ticket("B2", cause="few-big", hours=1)]  # 1; total 7
    ranked = rank_causes(causes, tickets, now=T0 + timedelta(days=1), weights=WEIGHTS)
    assert [(r.cause.key, r.impact, r.tickets) for r in ranked] == [("few-big", 7.0, 2), ("many-small", 5.0, 5)]
    assert ranked[0].cross_surface and not ranked[1].cross_surface
    assert ranked[0].evidence == ["B1", "B2"]  # the most costly ticket first


def test_the_digest_compares_with_the_previous_week_and_lists_wins():
    week = Period(T0, T0 + timedelta(days=7))
    shipped = Cause("vpn", "VPN certificate", owner="it-network", fix_status=FixStatus.SHIPPED,
                    fix_shipped_at=T0 - timedelta(days=1))
    tickets = []
    for k in range(1, 5):  # 4 tickets a week in each of the 4 weeks before the fix, none after
        tickets += [ticket(f"V{k}{i}", cause="vpn", created=T0 - timedelta(days=7 * k - i)) for i in range(4)]
    tickets += [ticket(f"A{i}", created=T0 + timedelta(hours=i), resolution=None) for i in range(10)]
    for t in tickets[-10:]:
        t.resolution, t.article_id, t.first_bot_reply_at = Resolution.ARTICLE, "kb-vpn", t.created_at
    digest = compose_digest(tickets, [shipped], week, org=sample_org(), now=T0 + timedelta(days=8))
    prevented = next(line for line in digest.lines if line.key == "deflection_by_root_cause_elimination")
    assert prevented.now["total"] == 4.0  # B = mean(4, 4, 4, 4) = 4, A = 0
    assert any("kb-vpn solved 10 tickets" in w for w in digest.wins)
    text = digest.to_text()
    assert "Tickets prevented by fixes" in text and "4.0" in text
    assert "no data" in text  # e.g. CSAT: nobody answered a survey this week


def test_an_empty_week_says_no_data_and_never_zero_percent():
    week = Period(T0, T0 + timedelta(days=7))
    text = compose_digest([], [], week, org=sample_org(), now=T0).to_text()
    assert "Repeat-cause rate" in text and "0%" not in text and text.count("no data") >= 8


def _agent_ticket(tid: str, agent: str, **kw) -> Ticket:
    t = ticket(tid, agents=[agent], **kw)
    t.messages.append(Message(at=T0, role=Role.AGENT, author=agent, text=kw.pop("notes", "Tried restart, error 0x1")))
    return t


def test_coaching_picks_one_strong_and_one_weak_ticket_with_reasons():
    strong = _agent_ticket("GOOD", "ana", csat=5)
    weak = _agent_ticket("BAD", "ana", csat=1, escalated_at=T0, escalation_judgement=Judgement.NOT_NEEDED)
    weak.reopened_at = [T0 + timedelta(hours=5)]
    middling = _agent_ticket("MID", "ana", csat=4)
    other = _agent_ticket("BEN", "ben", csat=5)
    best, worst = pick_for_review([strong, weak, middling, other], "ana")
    assert best.ticket.id == "GOOD" and "CSAT 5/5" in best.reasons and "resolved at first contact" in best.reasons
    assert worst.ticket.id == "BAD"
    assert {"reopened after resolution", "escalation judged unnecessary", "CSAT 1/5"} <= set(worst.reasons)


def test_notes_missing_specifics_count_against_a_ticket():
    vague = ticket("VAGUE", agents=["ana"])
    vague.messages.append(Message(at=T0, role=Role.AGENT, author="ana", text="fixed it"))
    _, worst = pick_for_review([vague], "ana")
    assert worst is None or "notes miss the error, the time or the steps tried" in worst.reasons


def test_coaching_prompts_go_to_each_manager_for_their_agents_only():
    tickets = [_agent_ticket("A1", "ana", csat=5), _agent_ticket("B1", "ben", csat=1)]
    tickets[1].status = Status.RESOLVED
    prompts = coaching_prompts(sample_org(), tickets, T0, T0 + timedelta(days=7))
    assert [(p.manager, p.agent) for p in prompts] == [("mia", "ana"), ("mia", "ben")]
    assert prompts[0].strong.ticket.id == "A1" and prompts[1].weak.ticket.id == "B1"
    assert "What good looks like" in prompts[0].to_text()
