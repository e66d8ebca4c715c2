"""The terminal chat's slash commands, each a few lines over the Desk."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.agent_commands import Verb, parse
from core.coaching import TEMPLATE
from core.desk import Desk
from core.errors import InvalidInput
from core.kpis import format_kpis_text, last_full_week
from core.messages import Escalate, RecordReview
from core.org import CONSOLE, PersonRole
from core.tickets import Judgement, Status, Ticket

QUEUED = (Status.NEEDS_HUMAN.value, Status.IN_PROGRESS.value)  # what an agent's /queue shows
HELP = {
    "employee": "Describe your problem in a sentence. Then: solved [N] | help | /new | /ticket [ID] | "
    "/rate ID SCORE [not-solved]",
    "agent": "/queue | /take ID | /assign ID [person] | /reply ID text | /escalate ID [team] [reason] | "
    "/resolve ID [note] | /priority ID low|normal|high|urgent | /link ID OTHER-ID | "
    "/judge ESC needed|not-needed | /rootcause ID text | /fix ID URL | /shipped CAUSE | /ticket ID",
    "manager": "/coaching | /review TICKET | /review @agent | /causes | /digest | /kpis",
    "leader": "/causes | /digest | /kpis",
}


@dataclass
class Session:
    desk: Desk
    user: str
    role: str
    current: str | None = None
    thread: int = 1
    session_id: str = field(default_factory=lambda: secrets.token_hex(4))  # threads never span sessions


def _need(args: list[str], n: int, usage: str) -> None:
    if len(args) < n:
        raise InvalidInput(f"Usage: {usage}")


def _line(t: Ticket) -> str:
    return f"  {t.id} [{t.status}] {t.surface} {t.priority} {t.subject[:60]} (agent: {t.agent or '-'})"


async def new(s: Session, args: list[str]) -> None:
    s.thread += 1
    s.current = None
    print("  Starting a new request. Describe the problem.")


async def solved(s: Session, args: list[str]) -> None:
    if s.current is None:
        raise InvalidInput("There is no open request in this chat yet.")
    ticket = await s.desk.tickets.get(s.current)
    article = None
    if args and args[0].isdigit() and ticket and 0 < int(args[0]) <= len(ticket.suggested_article_ids):
        article = ticket.suggested_article_ids[int(args[0]) - 1]
    ticket = await s.desk.solved(s.current, article, s.user)
    print(f"  Glad it is solved. {ticket.id} is resolved by {ticket.article_id}.")
    await new(s, [])


async def help_(s: Session, args: list[str]) -> None:
    if s.current is None or s.role != "employee":
        print(HELP[s.role])
        return
    ticket = await s.desk.need_human(s.current, s.user)
    print(f"  {ticket.id} is in the queue for a person. Keep writing here to add details.")


async def ticket(s: Session, args: list[str]) -> None:
    if args:
        t = await s.desk.tickets.get(args[0].upper())
        if t is None:
            raise InvalidInput(f"No ticket {args[0]!r}.")
        print(_line(t))
        for m in t.transcript():
            print(f"    {m.at:%Y-%m-%d %H:%M} {m.role} {m.author}: {m.text[:200]}")
        return
    mine = (await s.desk.tickets.list(requester=s.user, limit=20, newest_first=True))[::-1]
    print("\n".join(_line(t) for t in mine) or "  You have no tickets.")


async def rate(s: Session, args: list[str]) -> None:
    _need(args, 2, "/rate ID SCORE [not-solved]")
    if not args[1].isdigit():
        raise InvalidInput("The score is a number from 1 to 5.")
    t = await s.desk.record_csat(args[0], int(args[1]), s.user, solved="not-solved" not in args[2:])
    print(f"  Thanks. {t.id} is {'reopened' if t.is_open else 'closed'}.")


async def queue(s: Session, args: list[str]) -> None:
    # The 20 latest waiting, oldest first: one indexed, bounded query however long the backlog.
    waiting = await s.desk.tickets.list(statuses=QUEUED, limit=20, newest_first=True)
    print("\n".join(_line(t) for t in reversed(waiting)) or "  The queue is empty.")


async def take(s: Session, args: list[str]) -> None:
    _need(args, 1, "/take ID")
    print(_line(await s.desk.assign(args[0], s.user)))


def front_line(verb: str) -> Callable[[Session, list[str]], Awaitable[None]]:
    """A front-line command (assign, reply, resolve, priority, link), parsed as Slack and Teams parse it."""

    async def run(s: Session, args: list[str]) -> None:
        cmd = parse(" ".join([verb, *args]))
        if cmd is None:  # every verb given here is a front-line verb
            raise InvalidInput(f"Usage: /{verb}")
        done = await s.desk.front_line(cmd, s.user, CONSOLE)
        print(f"  {done.text}")

    run.__name__ = verb
    return run


async def escalate(s: Session, args: list[str]) -> None:
    _need(args, 1, "/escalate ID [team] [reason]")
    s.desk.org.require(s.user, PersonRole.AGENT)
    team = args[1] if len(args) > 1 and s.desk.org.team(args[1]) else None
    reason = " ".join(args[2:] if team else args[1:])
    if team is None:
        hint = await s.desk.suggest_owner(args[0])
        print(f"  Suggested owner: {hint.team or 'none'} ({hint.why})")
    esc = await s.desk.escalate(Escalate(ticket_id=args[0], agent=s.user, team=team, reason=reason))
    ev = esc.evidence
    print(
        f"  {esc.id}: {esc.ticket_id} -> {esc.to_team}. Evidence: {len(ev.transcript)} messages, "
        f"{len(ev.articles_tried)} articles tried, {len(ev.similar_tickets)} similar tickets, "
        f"likely cause {ev.likely_cause['key'] if ev.likely_cause else 'unknown'}."
    )


async def judge(s: Session, args: list[str]) -> None:
    _need(args, 2, "/judge ESC needed|not-needed")
    verdict = {"needed": Judgement.NEEDED, "not-needed": Judgement.NOT_NEEDED}.get(args[1].lower())
    if verdict is None:
        raise InvalidInput("Judge an escalation as needed or not-needed.")
    esc = await s.desk.judge(args[0], verdict, s.user)
    print(f"  {esc.id} judged {esc.judgement}.")


async def rootcause(s: Session, args: list[str]) -> None:
    _need(args, 2, "/rootcause ID text")
    cause = await s.desk.record_root_cause(args[0], " ".join(args[1:]), s.user)
    print(f"  Root cause recorded on {cause.key}: {cause.root_cause}")


async def fix(s: Session, args: list[str]) -> None:
    _need(args, 2, "/fix ID-or-CAUSE URL")
    cause = await s.desk.link_fix(args[0], args[1], s.user)
    print(f"  {cause.key}: fix {cause.fix_status} {cause.fix_url}")


async def shipped(s: Session, args: list[str]) -> None:
    _need(args, 1, "/shipped ID-or-CAUSE")
    cause = await s.desk.ship_fix(args[0], s.user)
    print(f"  {cause.key}: fix shipped at {cause.fix_shipped_at:%Y-%m-%d %H:%M}")


async def causes(s: Session, args: list[str]) -> None:
    ranked = await s.desk.ranked_causes(limit=10)
    for i, r in enumerate(ranked, 1):
        print(
            f"  {i}. {r.cause.title} [{r.cause.key}] impact {r.impact:,.0f}, {r.tickets} tickets, "
            f"{'+'.join(r.surfaces)}, fix {r.cause.fix_status}"
        )
    if not ranked:
        print("  No causes yet.")


async def digest(s: Session, args: list[str]) -> None:
    print((await s.desk.digest(_week(s))).to_text())


async def kpis(s: Session, args: list[str]) -> None:
    print(format_kpis_text(await s.desk.kpis(_week(s))))


async def coaching(s: Session, args: list[str]) -> None:
    s.desk.org.require(s.user, *_manager())
    prompts = [p for p in await s.desk.coaching(_week(s)) if p.manager == s.user]
    print("\n".join(p.to_text() for p in prompts) or "  None of your agents resolved tickets last week.")


async def review(s: Session, args: list[str]) -> None:
    s.desk.org.require(s.user, *_manager())
    _need(args, 1, "/review TICKET or /review @agent")
    if args[0].startswith("@"):
        await coaching(s, [])
        return
    t = await s.desk.tickets.get(args[0].upper())
    if t is None:
        raise InvalidInput(f"No ticket {args[0]!r}.")
    print(_line(t))
    happened, mattered, good, change = [_ask(f"  {name}: ") for name in TEMPLATE]
    send = _ask("  Send to the agent? [y/N] ").lower().startswith("y")
    review = RecordReview(t.id, s.user, happened, mattered, good, change, send_to_agent=send)
    r = await s.desk.record_review(review)
    print(f"  Review {r.id} stored; follow-up on {r.follow_up_at:%Y-%m-%d}.")


def _ask(prompt: str) -> str:
    print(prompt, end="", flush=True)
    return sys.stdin.readline().strip()


def _manager() -> tuple[PersonRole, ...]:
    return (PersonRole.MANAGER,)


def _week(s: Session):  # type: ignore[no-untyped-def]
    return last_full_week(s.desk.clock.now(), s.desk.org.timezone)


async def show_help(s: Session, args: list[str]) -> None:
    print(HELP[s.role])


COMMANDS: dict[str, Callable[[Session, list[str]], Awaitable[None]]] = {
    "new": new,
    "solved": solved,
    "help": help_,
    "ticket": ticket,
    "rate": rate,
    "queue": queue,
    "take": take,
    "escalate": escalate,
    **{verb.value: front_line(verb.value) for verb in Verb},
    "judge": judge,
    "rootcause": rootcause,
    "fix": fix,
    "shipped": shipped,
    "causes": causes,
    "digest": digest,
    "kpis": kpis,
    "coaching": coaching,
    "review": review,
    "show_help": show_help,
}
