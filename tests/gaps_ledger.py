"""Hand-made tickets for knowledge gaps and drafts (one reply holds an e-mail address and a token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.causes import Cause
from core.tickets import ASKED_FOR_A_PERSON, Message, Resolution, Role, Status, Surface, Ticket

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


EMAIL = "dana.whitfield@example.com"


TOKEN = "xoxb-" + "1234567890-abcdefghij"  # assembled: no token-shaped literal is committed


def ticket(tid: str, text: str, *, cause: str | None, resolution: Resolution | None = Resolution.AGENT,
           surface: Surface = Surface.INTERNAL, replies: tuple[str, ...] = (), asked: bool = False,
           article: str | None = None, hours: int = 5) -> Ticket:
    created = NOW - timedelta(days=2, hours=hours)
    t = Ticket(id=tid, surface=surface, created_at=created, subject=text, text=text, cause_key=cause,
               resolution=resolution, article_id=article,
               status=Status.RESOLVED if resolution else Status.IN_PROGRESS,
               resolved_at=created + timedelta(hours=hours) if resolution else None)
    if asked:
        t.suggested_article_ids = ["kb-vpn"]
        t.messages.append(Message(at=created, role=Role.SYSTEM, author="fixloop", text=ASKED_FOR_A_PERSON))
    for i, reply in enumerate(replies):
        t.messages.append(Message(at=created + timedelta(minutes=10 + i), role=Role.AGENT, author="ana", text=reply))
    if resolution and t.resolved_at:  # a reply after resolution is chit-chat, not a step that fixed it
        t.messages.append(Message(at=t.resolved_at + timedelta(hours=1), role=Role.AGENT, author="ana",
                                  text="Closing this now, reopen the ticket any time you like."))
    return t


def hand_made() -> tuple[list[Ticket], list[Cause]]:
    causes = [Cause(key="c-cert", title="Expired VPN certificate", owner="it-network",
                    root_cause="The device certificate expired after 90 days."),
              Cause(key="c-print", title="Printer queue stuck", owner="it-desk")]
    tickets = [
        ticket("FX-1", "VPN says certificate invalid", cause="c-cert",
               replies=("Open the Company Portal and click Sync. Then restart the VPN client.",
                        f"If it still fails mail {EMAIL} with the token {TOKEN} you saw.")),
        ticket("FX-2", "VPN error: certificate expired this morning", cause="c-cert", asked=True,
               resolution=Resolution.FIX, replies=("Open the Company Portal and click Sync.",)),
        ticket("FX-3", "cannot connect to VPN, cert problem", cause="c-cert", hours=30,
               replies=("Remove the old certificate from Keychain Access, then sync the portal again.",)),
        ticket("FX-4", "customer VPN certificate warning", cause="c-cert", surface=Surface.EXTERNAL,
               replies=("Ask the customer to reinstall the client profile.",)),
        ticket("FX-5", "printer queue stuck on floor 3", cause="c-print", replies=("Cleared the spooler.",)),
        ticket("FX-6", "print jobs stuck in queue", cause="c-print", replies=("Restarted the print spooler.",)),
        ticket("FX-7", "VPN cert invalid again", cause="c-cert", resolution=Resolution.ARTICLE, article="kb-vpn"),
        ticket("FX-8", "VPN certificate popup", cause="c-cert", resolution=None),
        ticket("FX-9", "VPN certificate, fixed by a shipped change", cause="c-cert", resolution=Resolution.FIX),
    ]
    return tickets, causes


# Three tickets no cause holds that share one phrase, "many attempts": the gap `internal:phrase:many_attempts`.
LOCKED_OUT = ("Can't log in, says too many attempts.", "Locked out after too many attempts",
              "Too many attempts, account blocked")


def locked_out() -> list[Ticket]:
    """The three, open long enough that their gap leads the list."""
    return [ticket(f"LX-{i}", text, cause=None, hours=40) for i, text in enumerate(LOCKED_OUT)]
