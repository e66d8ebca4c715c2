"""Pure functions from core results to Block Kit: messages in threads, channels and DMs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.slack.attachments import attachment_lines
from adapters.slack.escape import esc as esc  # re-exported: blocks.esc is the one Slack escaping
from adapters.slack.escape import link
from adapters.slack.forms import MENTION, Ref
from adapters.slack.ids import Action, Block, Input
from adapters.slack.priority_blocks import picker
from core.causes import RankedCause
from core.escalation import Evidence
from core.messages import Reply
from core.near_miss import NearMiss, label, phrase
from core.threads import TriageContext
from core.tickets import Ticket

Blocks = list[dict[str, Any]]
SECTION_MAX = 3000  # Slack's limit on a section's text
HELP = (
    "*Fixloop* logs every request as a ticket and routes it to the team that can fix the cause.\n"
    "• DM me, @mention me, or write in a help channel; react with :ticket: or use *Log as ticket* on any "
    "message.\n"
    "• `/ticket` your open tickets; `/ticket FX-AB12CD` one ticket\n"
    "• `/escalate FX-AB12CD [team] [reason]` (agents) hand a ticket to the team that owns the fix\n"
    "• `/causes` (leaders) root causes ranked by business impact\n"
    "• `/review @agent` or `/review FX-AB12CD` (managers) a four-part ticket review\n"
    "• `/fixloop assign FX-AB12CD [@agent]`, `/fixloop reply FX-AB12CD text`, `/fixloop resolve FX-AB12CD "
    "[note]`, `/fixloop priority FX-AB12CD low|normal|high|urgent`, `/fixloop link FX-AB12CD FX-CD34EF` "
    "(agents)\n"
    "• `/fixloop gaps` (agents, leaders) tickets solved without an article, and drafts for them\n"
    "• `/fixloop console` a one-time sign-in link to the web console, in a DM\n"
    "• `/fixloop help` this message"
)


BOTH_QUEUES = " :warning: both queues"


def cut(text: str, width: int) -> str:
    """Shorten text to width characters, marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def who(user: str) -> str:
    """A Slack user id as a mention; any other name as plain text."""
    return f"<@{user}>" if MENTION.fullmatch(f"<@{user}>") else esc(user)


def section(text: str, **extra: Any) -> dict[str, Any]:
    """A mrkdwn section, cut to Slack's limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_MAX)}, **extra}


def context(text: str) -> dict[str, Any]:
    """A small grey line."""
    return {
        "type": "context",
        "block_id": Block.DONE,
        "elements": [{"type": "mrkdwn", "text": cut(text, 2000)}],
    }


def button(label: str, action: str, ref: Ref, style: str | None = None) -> dict[str, Any]:
    """A button carrying a Ref."""
    out: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action,
        "value": ref.encode(),
    }
    return {**out, "style": style} if style else out


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    """A row of buttons."""
    return {"type": "actions", "block_id": Block.ACTIONS, "elements": list(elements)}


def first_reply(reply: Reply) -> Blocks:
    """Up to three articles with Solved it and I still need help, or the honest hand-off."""
    t = reply.ticket
    if reply.suggestions.abstained:
        return [section(f"Ticket *{t.id}* is logged. No article fits this one; a person will pick this up.")]
    out = [section(f"Ticket *{t.id}* is logged. These articles may solve it:")]
    for s in reply.suggestions.items:
        a = s.article
        title = link(a.url, a.title) if a.url else f"*{esc(a.title)}*"
        out.append(
            section(
                f"{title}\n{esc(a.snippet())}",
                accessory=button("Solved it", Action.SOLVED, Ref(t.id, article=a.id), "primary"),
            )
        )
    out.append(actions(button("I still need help", Action.NEED_HELP, Ref(t.id))))
    return out


def _ticket_lines(t: Ticket) -> str:
    return (
        f"Requester {who(t.requester)} · {t.surface} · {t.priority} priority · {t.status}"
        f"{' · with ' + who(t.agent) if t.agent else ''}"
    )


def triage(ctx: TriageContext, why: str) -> Blocks:
    """The triage post: the ticket in context, with Assign to me, Escalate and Resolve."""
    t, ref = ctx.ticket, Ref(ctx.ticket.id)
    tried = ", ".join(esc(a.title) for a in ctx.articles_tried) or "none"
    similar = ", ".join(f"{s.id} ({esc(cut(s.subject, 60))}, {s.status})" for s in ctx.similar) or "none"
    cause = esc(ctx.likely_cause.title) if ctx.likely_cause else "not known yet"
    owner = (
        f"{ctx.likely_owner.team} ({esc(ctx.likely_owner.why)})" if ctx.likely_owner.team else "no owner yet"
    )
    files = [section(attachment_lines(t.attachments))] if t.attachments else []
    return [
        section(f"*{t.id}* needs a person ({esc(why)})\n>{esc(cut(t.subject, 300))}"),
        context(_ticket_lines(t)),
        *files,
        section(
            f"*Already suggested:* {tried}\n{_near_miss(ctx.near_miss)}*Similar recent tickets:* {similar}\n"
            f"*Likely cause:* {cause}\n*Likely owner:* {owner}"
        ),
        actions(
            button("Assign to me", Action.ASSIGN, ref, "primary"),
            button("Escalate", Action.ESCALATE, ref),
            button("Resolve", Action.RESOLVE, ref),
            picker(t),  # priority: adapters/slack/priority.py
        ),
    ]


def _near_miss(miss: NearMiss | None) -> str:
    if miss is None:
        return ""
    return f"*{label(miss)}:* {phrase(miss, [esc(cut(n.article.title, 60)) for n in miss.nearest])}\n"


def escalation(ticket_id: str, escalation_id: str, evidence: Evidence, reason: str) -> Blocks:
    """The evidence bundle in the owning team's channel, with the owner's buttons."""
    transcript = (
        "\n".join(
            f"> *{esc(m.get('author', ''))}*: {esc(cut(m.get('text', ''), 300))}"
            for m in evidence.transcript[-6:]
        )
        or "> (empty)"
    )
    tried = ", ".join(esc(a.get("title", a.get("id", ""))) for a in evidence.articles_tried) or "none"
    similar = ", ".join(f"{s['id']} ({esc(cut(s.get('subject', ''), 60))})" for s in evidence.similar_tickets)
    cause = evidence.likely_cause
    t, e = Ref(ticket_id), Ref(ticket_id, escalation=escalation_id)
    return [
        section(
            f"*Escalation {escalation_id}* for ticket *{ticket_id}* ({evidence.surface}, requester "
            f"{who(evidence.requester)})\n*Reason:* {esc(reason) or 'none given'}"
        ),
        section(f"*Summary*\n{esc(evidence.summary)}"),
        section(f"*Transcript (latest)*\n{transcript}"),
        *([section(attachment_lines(evidence.attachments))] if evidence.attachments else []),
        section(
            f"*Articles tried:* {tried}\n*Similar tickets:* {similar or 'none'}\n*Likely cause:* "
            f"{esc(cause['title'] + ' [' + cause['key'] + ']') if cause else 'not known yet'}"
        ),
        actions(
            button("Needed", Action.JUDGE_NEEDED, e, "primary"),
            button("Could have been solved at tier 1", Action.JUDGE_NOT_NEEDED, e),
            button("Record root cause", Action.ROOT_CAUSE, t),
            button("Link fix", Action.LINK_FIX, t),
            button("Fix shipped", Action.FIX_SHIPPED, t),
            button("File fix issue", Action.FILE_FIX, t),
        ),
    ]


def csat_survey(ticket_id: str, text: str) -> Blocks:
    """One-click 1-5 survey, and Not solved."""
    scores = [button(str(n), f"{Action.CSAT}.{n}", Ref(ticket_id, score=n)) for n in range(1, 6)]
    return [
        section(esc(text)),
        actions(*scores, button("Not solved", Action.CSAT_NOT_SOLVED, Ref(ticket_id), "danger")),
    ]


def follow_up(review_id: str, ticket_id: str, text: str) -> Blocks:
    """A week after a review: did the change happen? An optional note, then Yes, it changed / Not yet."""
    ref = Ref(ticket_id, review=review_id)
    note = {
        "type": "input",
        "block_id": Input.FOLLOW_UP_NOTE,
        "optional": True,
        "label": {"type": "plain_text", "text": "Note (optional)"},
        "element": {
            "type": "plain_text_input",
            "action_id": Input.FOLLOW_UP_NOTE,
            "multiline": True,
            "max_length": 2000,
            "placeholder": {"type": "plain_text", "text": "What you saw, or what is still in the way"},
        },
    }
    return [
        section(esc(text)),
        note,
        actions(
            button("Yes, it changed", Action.FOLLOW_UP_CHANGED, ref, "primary"),
            button("Not yet", Action.FOLLOW_UP_NOT_YET, ref),
        ),
    ]


def done(blocks: Sequence[dict[str, Any]], note: str, drop: set[str] | None = None) -> Blocks:
    """A message after a click: the clicked buttons (all when drop is None) gone, and a note."""

    def keep(element: dict[str, Any]) -> bool:
        return drop is not None and element.get("action_id") not in drop

    out: Blocks = []
    for block in blocks:
        if block.get("type") == "actions":
            kept = [e for e in block.get("elements", []) if keep(e)]
            out += [{**block, "elements": kept}] if kept else []
        elif block.get("accessory", {}).get("type") == "button" and not keep(block["accessory"]):
            out.append({k: v for k, v in block.items() if k != "accessory"})
        elif block.get("block_id") != Block.DONE and block.get("type") != "input":
            out.append(block)
    return [*out, context(note)]


def ticket_list(tickets: Sequence[Ticket], title: str) -> Blocks:
    """A short list of tickets."""
    if not tickets:
        return [section(f"*{title}*\nNothing here.")]
    lines = [f"• *{t.id}* {esc(cut(t.subject, 80))} · {t.status}" for t in tickets[:20]]
    return [section(f"*{title}*\n" + "\n".join(lines))]


def ticket_detail(t: Ticket, staff: bool) -> Blocks:
    """One ticket with its latest messages; staff get Resolve and Escalate."""
    lines = "\n".join(f"> *{esc(m.author)}*: {esc(cut(m.text, 200))}" for m in t.transcript(limit=5))
    out = [section(f"*{t.id}* {esc(cut(t.subject, 200))}"), context(_ticket_lines(t)), section(lines or ">")]
    if staff and t.is_open:
        out.append(
            actions(
                button("Escalate", Action.ESCALATE, Ref(t.id)), button("Resolve", Action.RESOLVE, Ref(t.id))
            )
        )
    return out


def causes(ranked: Sequence[RankedCause], limit: int = 10) -> Blocks:
    """Causes ranked by business impact, with volume, surfaces, owner, fix and evidence."""
    if not ranked:
        return [section("No causes yet: they appear as owners record root causes.")]
    lines = [
        f"{i}. *{esc(r.cause.title)}* [{esc(r.cause.key)}]{BOTH_QUEUES if r.cross_surface else ''}"
        f"\n    impact {r.impact:,.0f} · {r.tickets} tickets ({r.open_tickets} open) · "
        f"{'+'.join(r.surfaces)} · owner {esc(r.cause.owner or '-')} · fix {r.cause.fix_status} · "
        f"evidence {esc(', '.join(r.evidence))}"
        for i, r in enumerate(ranked[:limit], 1)
    ]
    return [section("*Root causes by business impact*\n" + "\n".join(lines))]


def plain(text: str) -> Blocks:
    """Any text as sections, split to fit Slack's limits (at most 50 blocks)."""
    size = SECTION_MAX * 4 // 5  # room for escaping
    chunks = [text[i : i + size] for i in range(0, len(text), size)] or [" "]
    return [section(esc(c)) for c in chunks[:50]]
