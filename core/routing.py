"""Escalation use cases: suggest the owner of the likely cause, escalate with evidence, judge."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from core.audit import AuditAction, AuditEntry, short
from core.errors import EscalationNotFound, InvalidTransition, UnknownTeam
from core.escalation import Escalation, RoutingSuggestion, new_escalation_id
from core.evidence import build_evidence
from core.intake import load_ticket
from core.kb import Article, Library
from core.limits import MAX_FIELD, check_size
from core.messages import Escalate
from core.org import STAFF, Org, PersonRole
from core.ports import Clock, LanguageModel, Notice, Reports, TicketRepository, UnitOfWork
from core.team_routing import TeamRouter
from core.tickets import Judgement, Message, Role, Status, Ticket


async def owner_for(
    ticket_id: str,
    *,
    org: Org,
    tickets: TicketRepository,
    reports: Reports,
    library: Library,
    router: TeamRouter | None = None,
) -> RoutingSuggestion:
    """The team the escalation form is pre-filled with."""
    ticket = await load_ticket(ticket_id, tickets)
    return await suggest_owner(ticket, org=org, reports=reports, articles=library.articles, router=router)


async def suggest_owner(
    ticket: Ticket,
    *,
    org: Org,
    reports: Reports,
    articles: dict[str, Article],
    router: TeamRouter | None = None,
) -> RoutingSuggestion:
    """Route by where the fix lives: cause owner, past escalations, learnt routing, topic, then article."""
    team = org.owner_of(ticket.cause_key)
    if team:
        return RoutingSuggestion(team.key, f"{team.name} owns the likely cause {ticket.cause_key}")
    if ticket.cause_key:
        needed = Counter(await reports.needed_escalations(ticket.cause_key))
        if needed:
            key, n = needed.most_common(1)[0]
            return RoutingSuggestion(
                key, f"{n} earlier escalations of this cause to {key} were judged needed"
            )
    guess = router.predict(f"{ticket.subject} {ticket.text}") if router else None
    if guess and org.team(guess[0]):
        return RoutingSuggestion(
            guess[0], f"similar past escalations went to {guess[0]} ({guess[1]:.0%} sure)"
        )
    team = org.owner_of(None, f"{ticket.subject} {ticket.text}")
    if team:
        return RoutingSuggestion(team.key, f"{team.name} owns this topic")
    for article_id in ticket.suggested_article_ids:
        owner = articles[article_id].owner if article_id in articles else None
        if owner and org.team(owner):
            return RoutingSuggestion(owner, f"{owner} owns the article {article_id}")
    return RoutingSuggestion(None, "no owner is configured for this kind of problem")


async def escalate(
    cmd: Escalate,
    *,
    uow: UnitOfWork,
    reports: Reports,
    library: Library,
    org: Org,
    clock: Clock,
    llm: LanguageModel | None = None,
    router: TeamRouter | None = None,
) -> Escalation:
    """Hand a ticket to the team that owns the fix, with the evidence; the requester is told."""
    who = org.acting(cmd.agent, PersonRole.AGENT, platform=cmd.platform)
    check_size(cmd.reason.strip(), MAX_FIELD, "reason")
    async with uow:
        ticket = await load_ticket(cmd.ticket_id, uow.tickets)
        if ticket.status == "resolved":
            raise InvalidTransition(f"Ticket {ticket.id} is resolved; reopen it before escalating.")
        articles = library.articles
        suggestion = await suggest_owner(
            ticket, org=org, reports=reports, articles=articles, router=router
        )
        team_key = cmd.team or suggestion.team
        team = org.team(team_key) if team_key else None
        if team is None:
            raise UnknownTeam(team_key or "(none given)", org.team_keys())
        now = clock.now()
        evidence = await build_evidence(
            ticket, tickets=uow.tickets, causes=uow.causes, articles=articles, llm=llm
        )
        esc = Escalation(
            id=new_escalation_id(),
            ticket_id=ticket.id,
            from_agent=cmd.agent,
            to_team=team.key,
            reason=cmd.reason.strip(),
            created_at=now,
            evidence=evidence,
            suggested_team=suggestion.team,
        )
        _hand_over(ticket, esc, team.name, who, now)
        await uow.escalations.save(esc)
        await uow.tickets.save(ticket)
        await uow.audit.record(
            AuditEntry(
                at=now,
                who=who,
                action=AuditAction.ESCALATED,
                ticket_id=ticket.id,
                escalation_id=esc.id,
                detail=short(f"to {team.key}: {esc.reason or 'no reason given'}"),
            )
        )
        for notice in _announce(esc, ticket, team.name):
            uow.notify(notice)
        await uow.commit()
    return esc


def _hand_over(ticket: Ticket, esc: Escalation, team_name: str, agent: str, now: datetime) -> None:
    ticket.escalated_at = ticket.escalated_at or now  # the KPI counts the first escalation
    ticket.escalated_to = esc.to_team
    ticket.escalation_judgement = ticket.escalation_judged_at = None
    ticket.status = Status.ESCALATED
    ticket.assign(agent)
    ticket.add_message(
        Message(
            at=now,
            role=Role.SYSTEM,
            author=esc.from_agent,
            text=f"Escalated to {team_name}: {esc.reason or 'no reason given'}",
        )
    )


def _announce(esc: Escalation, ticket: Ticket, team_name: str) -> list[Notice]:
    return [
        Notice(
            kind="escalation",
            to=f"team:{esc.to_team}",
            ticket_id=ticket.id,
            text=f"Escalation {esc.id} from {esc.from_agent}: {ticket.subject}",
            data={"escalation_id": esc.id, "evidence": esc.evidence.to_dict(), "reason": esc.reason},
        ),
        Notice(
            kind="status",
            to=f"thread:{ticket.id}",
            ticket_id=ticket.id,
            text=(
                f"Your request is now with {team_name}, the team that can fix the cause. "
                "You will hear from us within one working day, sooner if they find the fix."
            ),
        ),
    ]


async def judge(
    escalation_id: str,
    judgement: Judgement,
    by: str,
    platform: str | None = None,
    *,
    uow: UnitOfWork,
    org: Org,
    clock: Clock,
) -> Escalation:
    """The owning team says whether the escalation was needed or tier 1 could have solved it."""
    who = org.acting(by, *STAFF, platform=platform)
    async with uow:
        esc = await uow.escalations.get(escalation_id)
        if esc is None:
            raise EscalationNotFound(escalation_id)
        now = clock.now()
        esc.judge(judgement, now, who)
        await uow.escalations.save(esc)
        ticket = await load_ticket(esc.ticket_id, uow.tickets)
        ticket.escalation_judgement, ticket.escalation_judged_at = judgement, now
        await uow.tickets.save(ticket)
        await uow.audit.record(
            AuditEntry(
                at=now,
                who=who,
                action=AuditAction.JUDGED,
                ticket_id=ticket.id,
                escalation_id=esc.id,
                detail=judgement.value,
            )
        )
        await uow.commit()
    return esc

