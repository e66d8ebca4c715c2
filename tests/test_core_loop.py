"""The support loop through the core Desk, on fakes: intake to fix to CSAT."""

from __future__ import annotations

import pytest

from core.causes import Cause
from core.errors import InvalidInput, NotAllowed, TicketNotFound, UnknownTeam
from core.messages import Escalate, LogRequest, RecordReview
from core.tickets import Judgement, Resolution, Status, Surface
from tests.fakes import FakeLanguageModel, FakeNotifier, fake_desk


def vpn(thread: str = "slack:C1:1.0", who: str = "emp-1") -> LogRequest:
    return LogRequest(
        platform="slack",
        requester=who,
        text="My VPN disconnects every hour since this morning",
        thread_key=thread,
        channel="C1",
    )


async def test_a_help_request_becomes_a_ticket_with_the_vpn_article_first():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    assert reply.is_new
    assert reply.suggestions.items[0].article.id == "kb-vpn"
    ticket = await desk.tickets.get(reply.ticket.id)
    assert ticket.status == Status.SUGGESTED
    assert ticket.first_bot_reply_at is not None and ticket.first_human_reply_at is None
    assert ticket.surface == Surface.INTERNAL


async def test_a_second_message_in_the_thread_joins_the_same_ticket():
    desk = await fake_desk()
    first = await desk.log_request(vpn())
    second = await desk.log_request(vpn())
    assert not second.is_new and second.ticket.id == first.ticket.id
    assert await desk.tickets.count() == 1
    assert len((await desk.tickets.get(first.ticket.id)).messages) == 3  # request, bot reply, follow-up


async def test_an_out_of_scope_question_gets_no_article_and_goes_to_triage():
    notifier = FakeNotifier()
    desk = await fake_desk(notifier=notifier)
    reply = await desk.log_request(
        LogRequest(platform="console", requester="e", text="Where is the cafeteria menu?")
    )
    assert reply.suggestions.abstained
    assert "No article fits" in reply.text
    assert notifier.kinds() == ["triage"]
    assert (await desk.tickets.get(reply.ticket.id)).status == Status.NEEDS_HUMAN


async def test_empty_and_oversize_messages_are_refused_with_a_reason():
    desk = await fake_desk()
    with pytest.raises(InvalidInput, match="empty"):
        await desk.log_request(LogRequest(platform="console", requester="e", text="   "))
    with pytest.raises(InvalidInput, match="limit is 40,000"):
        await desk.log_request(LogRequest(platform="console", requester="e", text="x" * 40_001))
    assert await desk.tickets.count() == 0


async def test_solved_it_resolves_by_article_and_counts_the_article():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    ticket = await desk.solved(reply.ticket.id, None, "emp-1")
    assert ticket.resolution == Resolution.ARTICLE and ticket.article_id == "kb-vpn"
    assert (await desk.articles.get("kb-vpn")).solved_count == 1


async def test_a_failing_notifier_never_loses_the_ticket():
    desk = await fake_desk(notifier=FakeNotifier(fail=True))
    reply = await desk.log_request(
        LogRequest(platform="console", requester="e", text="Cafeteria menu please")
    )
    assert await desk.tickets.get(reply.ticket.id) is not None


async def test_an_agent_reply_in_the_thread_is_the_first_human_reply():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    desk.clock.advance(minutes=12)
    await desk.log_request(
        LogRequest(platform="slack", requester="UANA", text="Looking at it now", thread_key="slack:C1:1.0")
    )
    ticket = await desk.tickets.get(reply.ticket.id)
    assert ticket.first_human_reply_at == desk.clock.now()
    assert ticket.agents == ["ana"] and ticket.status == Status.IN_PROGRESS


async def test_escalation_goes_to_the_owner_of_the_likely_cause_with_evidence():
    notifier = FakeNotifier()
    desk = await fake_desk(notifier=notifier, llm=FakeLanguageModel())
    await desk.causes.save(Cause(key="vpn-cert-expiry", title="VPN certificate expired", owner="it-network"))
    await desk.refresh()
    reply = await desk.log_request(vpn())
    assert reply.likely_cause is not None and reply.likely_cause.key == "vpn-cert-expiry"
    assert (await desk.suggest_owner(reply.ticket.id)).team == "it-network"
    esc = await desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="ana", reason="cert error"))
    assert esc.to_team == "it-network" and esc.suggested_team == "it-network"
    assert esc.evidence.summary == "Summary by the model."
    assert esc.evidence.articles_tried[0]["id"] == "kb-vpn"
    assert esc.evidence.likely_cause == {"key": "vpn-cert-expiry", "title": "VPN certificate expired"}
    assert [n.to for n in notifier.sent] == ["team:it-network", f"thread:{reply.ticket.id}"]
    ticket = await desk.tickets.get(reply.ticket.id)
    assert ticket.status == Status.ESCALATED and ticket.escalated_to == "it-network"


async def test_escalation_falls_back_to_a_plain_summary_when_the_model_fails():
    desk = await fake_desk(llm=FakeLanguageModel(fail=True))
    reply = await desk.log_request(vpn())
    esc = await desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="ana", team="it-network"))
    assert esc.evidence.summary.startswith("My VPN disconnects")


async def test_only_agents_escalate_and_unknown_teams_are_named():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    with pytest.raises(NotAllowed):
        await desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="emp-1", team="it-network"))
    with pytest.raises(UnknownTeam, match="Known teams: it-network, billing, tier1"):
        await desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="ana", team="facilities"))
    with pytest.raises(TicketNotFound):
        await desk.escalate(Escalate(ticket_id="FX-NOPE", agent="ana", team="billing"))
    assert (await desk.tickets.get(reply.ticket.id)).escalated_at is None


async def test_judgement_root_cause_and_fix_close_the_loop():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    esc = await desk.escalate(Escalate(ticket_id=reply.ticket.id, agent="ana", team="it-network"))
    await desk.judge(esc.id, Judgement.NOT_NEEDED, "ana")
    cause = await desk.record_root_cause(
        reply.ticket.id, "The VPN gateway certificate expired", "ana", title="VPN gateway certificate expired"
    )
    assert cause.key == "vpn-gateway-certificate-expired" and cause.root_cause_at is not None
    await desk.link_fix(reply.ticket.id, "https://jira.example.com/browse/NET-1", "ana")
    shipped = await desk.ship_fix(cause.key, "ana")
    assert shipped.fix_status == "shipped" and shipped.fix_url.endswith("NET-1")
    ticket = await desk.tickets.get(reply.ticket.id)
    assert ticket.escalation_judgement == Judgement.NOT_NEEDED and ticket.cause_key == cause.key
    with pytest.raises(InvalidInput, match="not a link"):
        await desk.link_fix(cause.key, "see slack", "ana")


async def test_resolve_sends_a_survey_and_a_low_score_reopens():
    notifier = FakeNotifier()
    desk = await fake_desk(notifier=notifier)
    reply = await desk.log_request(vpn())
    await desk.resolve(reply.ticket.id, "ana")
    assert notifier.sent[-1].kind == "csat" and notifier.sent[-1].to == "person:emp-1"
    desk.clock.advance(hours=1)
    ticket = await desk.record_csat(reply.ticket.id, 2, "emp-1")
    assert ticket.csat == 2 and ticket.reopened_at == [desk.clock.now()] and ticket.is_open
    await desk.resolve(reply.ticket.id, "ana")
    ticket = await desk.tickets.get(reply.ticket.id)
    assert ticket.closed_at is not None and ticket.resolved_at < ticket.closed_at
    with pytest.raises(InvalidInput, match="1 to 5"):
        await desk.record_csat(reply.ticket.id, 6, "emp-1")
    again = await desk.resolve(reply.ticket.id, "ana")  # resolved already: a no-op, nobody asked twice
    assert again.resolved_at == ticket.resolved_at and [n.kind for n in notifier.sent].count("csat") == 2


async def test_not_solved_reopens_even_with_a_good_score():
    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    await desk.resolve(reply.ticket.id, "ana")
    ticket = await desk.record_csat(reply.ticket.id, 4, "emp-1", solved=False)
    assert ticket.status == Status.NEEDS_HUMAN and len(ticket.reopened_at) == 1


async def test_a_review_needs_all_four_parts_and_a_manager():
    notifier = FakeNotifier()
    desk = await fake_desk(notifier=notifier)
    reply = await desk.log_request(vpn())
    await desk.resolve(reply.ticket.id, "ana")
    parts = dict(what_happened="a", why_it_mattered="b", what_good_looks_like="c", what_changes_next="d")
    with pytest.raises(NotAllowed):
        await desk.record_review(RecordReview(ticket_id=reply.ticket.id, manager="ana", **parts))
    with pytest.raises(InvalidInput, match="What changes next time"):
        await desk.record_review(
            RecordReview(ticket_id=reply.ticket.id, manager="mia", **{**parts, "what_changes_next": " "})
        )
    review = await desk.record_review(
        RecordReview(ticket_id=reply.ticket.id, manager="mia", send_to_agent=True, **parts)
    )
    assert review.agent == "ana" and review.follow_up_at is not None
    assert notifier.sent[-1].to == "person:ana"


async def test_a_ticket_an_agent_solved_after_the_articles_teaches_the_library():
    from core.kb import NO_ARTICLE

    desk = await fake_desk()
    reply = await desk.log_request(vpn())
    assert reply.suggestions.items  # articles were offered; none was clicked as the answer
    await desk.need_human(reply.ticket.id, "emp-1")
    await desk.resolve(reply.ticket.id, "ana")
    assert desk.library.history[-1] == (vpn().text, NO_ARTICLE)
    other = await desk.log_request(vpn(thread="slack:C1:2.0"))
    await desk.solved(other.ticket.id, "kb-vpn", "emp-1")  # solved by the article: not "no article"
    quiet = await desk.log_request(vpn(thread="slack:C1:3.0"))
    await desk.resolve(quiet.ticket.id, "ana")  # the requester never said the articles failed
    assert [aid for _, aid in desk.library.history].count(NO_ARTICLE) == 1
