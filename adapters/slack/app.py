"""build_app: the slack-bolt AsyncApp, its listeners, its one error handler, and its HTTP handler."""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.web.async_client import AsyncWebClient

from adapters.intake import Intake
from adapters.locks import KeyedLocks
from adapters.slack import (
    actions,
    commands,
    fix_actions,
    incident_actions,
    knowledge,
    listeners,
    priority,
    replies,
    submissions,
)
from adapters.slack.channels import SharedChannels
from adapters.slack.client import make_client
from adapters.slack.ids import Action, Command, Shortcut, View
from adapters.slack.intake import socket_mode_intake
from adapters.slack.once import Claims
from adapters.slack.posting import DirectPoster, Poster
from core.desk import Desk
from core.errors import FixloopError
from core.knowledge import KnowledgeDesk

log = logging.getLogger("fixloop.slack")


class SlackSettings(Protocol):
    """The part of bot.settings.Settings the Slack app reads."""

    slack_bot_token: Any
    slack_signing_secret: Any
    slack_api_url: str


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def build_app(
    desk: Desk,
    settings: SlackSettings,
    *,
    intake: Intake | None = None,
    poster: Poster | None = None,
    client: AsyncWebClient | None = None,
    workers: int = 8,
    stored_events: bool = False,
    claims: Claims | None = None,
    knowledge_desk: KnowledgeDesk | None = None,
) -> AsyncApp:
    """The Bolt app: listeners and errors registered; one of two roles.

    For people (stored_events=False): HTTP interactivity and commands, signatures verified by Bolt;
    Socket Mode event callbacks are stored in the intake and acknowledged. For stored events
    (stored_events=True): the app a worker runs each stored event callback through. It skips request
    verification on purpose (the edge verified the signature before storing the event), so it must
    never be mounted on HTTP; it processes before it responds, so dispatch returns when the listener ends.
    """
    client = client or make_client(_secret(settings.slack_bot_token), settings.slack_api_url)
    app = AsyncApp(
        client=client,
        signing_secret=_secret(settings.slack_signing_secret),
        name="fixloop-stored-events" if stored_events else "fixloop",
        process_before_response=stored_events,
        request_verification_enabled=not stored_events,
    )
    if not stored_events:
        app.use(socket_mode_intake(intake))
    app.use(provide(desk, poster or DirectPoster(client), workers))
    app.use(provide_safety(claims, SharedChannels(client)))
    app.use(provide_knowledge(knowledge_desk))
    for register in (
        register_events,
        register_knowledge,
        register_actions,
        register_shortcuts,
        register_commands,
        register_views,
    ):
        register(app)
    app.error(on_error)
    return app


def provide(desk: Desk, poster: Poster, workers: int) -> Callable[..., Awaitable[None]]:
    """Middleware putting the desk, the locks, the poster and the worker gate in the context."""
    locks = KeyedLocks()
    gate = asyncio.Semaphore(workers)

    async def middleware(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002
        context.update(desk=desk, locks=locks, poster=poster, gate=gate)
        await next()

    return middleware


def provide_safety(claims: Claims | None, channels: SharedChannels) -> Callable[..., Awaitable[None]]:
    """Middleware putting the action claims and the shared-channel look-ups in the context."""

    async def middleware(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002
        context.update(claims=claims, channels=channels)
        await next()

    return middleware


def provide_knowledge(knowledge_desk: KnowledgeDesk | None) -> Callable[..., Awaitable[None]]:
    """Middleware putting the knowledge use cases (gaps, drafts) in the context."""

    async def middleware(context: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:  # noqa: A002
        context.update(knowledge=knowledge_desk)
        await next()

    return middleware


def register_knowledge(app: AsyncApp) -> None:
    """Draft article, Publish / Edit / Discard and the edit form."""
    app.action(knowledge.GAP_DRAFT)(guard(knowledge.on_draft))
    app.action(_either(knowledge.PUBLISH, knowledge.DISCARD))(guard(knowledge.on_decide))
    app.action(knowledge.EDIT)(guard(knowledge.on_edit))
    app.view(knowledge.EDIT_VIEW)(guard(knowledge.on_edit_submit))


def _either(*ids: str) -> re.Pattern[str]:
    return re.compile("^(" + "|".join(re.escape(i) for i in ids) + ")$")


def register_events(app: AsyncApp) -> None:
    """Messages (with edits and deletions), @mentions, reactions and App Home."""
    app.event("message")(guard(listeners.on_message, gated=True))
    app.event("app_mention")(guard(listeners.on_mention, gated=True))
    app.event("reaction_added")(guard(listeners.on_reaction, gated=True))
    app.event("app_home_opened")(guard(listeners.on_home, gated=True))
    app.event("reaction_removed")(guard(listeners.ignore))


def register_actions(app: AsyncApp) -> None:
    """Every button."""
    app.action(Action.SOLVED)(guard(actions.on_solved))
    app.action(Action.NEED_HELP)(guard(actions.on_need_help))
    app.action(Action.ASSIGN)(guard(actions.on_assign))
    app.action(Action.RESOLVE)(guard(actions.on_resolve))
    app.action(Action.ESCALATE)(guard(actions.on_escalate))
    app.action(_either(Action.JUDGE_NEEDED, Action.JUDGE_NOT_NEEDED))(guard(actions.on_judge))
    app.action(_either(Action.ROOT_CAUSE, Action.LINK_FIX))(guard(actions.on_owner_form))
    app.action(Action.FIX_SHIPPED)(guard(actions.on_fix_shipped))
    app.action(_either(*(f"{Action.CSAT}.{n}" for n in range(1, 6))))(guard(actions.on_csat))
    app.action(Action.CSAT_NOT_SOLVED)(guard(actions.on_not_solved))
    app.action(_either(Action.FOLLOW_UP_CHANGED, Action.FOLLOW_UP_NOT_YET))(guard(actions.on_follow_up))
    app.action(Action.FILE_FIX)(guard(fix_actions.on_file_fix))
    app.action(_either(Action.FIX_SOLVED, Action.FIX_STILL))(guard(fix_actions.on_fix_answer))
    app.action(Action.PRIORITY)(guard(priority.on_priority))
    app.action(Action.INCIDENT_RESOLVE)(guard(incident_actions.on_resolve_incident))
    app.action(_either(*(f"{Action.LINK_TICKET}.{n}" for n in range(10))))(guard(incident_actions.on_link))


def register_shortcuts(app: AsyncApp) -> None:
    """Message shortcuts: Log as ticket, Escalate ticket."""
    app.shortcut(Shortcut.LOG_TICKET)(guard(submissions.on_log_shortcut))
    app.shortcut(Shortcut.ESCALATE)(guard(submissions.on_escalate_shortcut))


def register_commands(app: AsyncApp) -> None:
    """Slash commands."""
    app.command(Command.ESCALATE)(guard(commands.on_escalate))
    app.command(Command.TICKET)(guard(commands.on_ticket))
    app.command(Command.CAUSES)(guard(commands.on_causes))
    app.command(Command.REVIEW)(guard(commands.on_review))
    app.command(Command.FIXLOOP)(guard(commands.on_fixloop))


def register_views(app: AsyncApp) -> None:
    """Modal submissions."""
    app.view(View.ESCALATE)(guard(submissions.on_escalate_submit))
    app.view(View.ROOT_CAUSE)(guard(submissions.on_root_cause_submit))
    app.view(View.LINK_FIX)(guard(submissions.on_link_fix_submit))
    app.view(View.REVIEW)(guard(submissions.on_review_submit))


def guard(
    fn: Callable[..., Awaitable[None]], *, gated: bool = False
) -> Callable[[AsyncArgs], Awaitable[None]]:
    """Run a listener so that what it raises goes to on_error and never back into Bolt's runner.

    Bolt 1.30's asyncio runner resets the ack to None when a listener raises within its 10 ms polling
    interval after ack(): the HTTP answer then waits 3 s and becomes a 404, and Slack redelivers.
    A gated listener (events) waits for a free processing slot, so a burst queues up behind a few
    workers instead of exhausting the database pool. A stored event's failure is kept for the intake,
    which retries it; the person is told at once only of a domain error or a last attempt.
    """
    names = list(inspect.signature(fn).parameters)

    async def listener(args: AsyncArgs) -> None:
        kwargs = {n: getattr(args, n) if hasattr(args, n) else args.context.get(n) for n in names}
        gate = args.context.get("gate") if gated else None
        try:
            if gate is None:
                await fn(**kwargs)
            else:
                async with gate:
                    await fn(**kwargs)
        except Exception as exc:  # the one mapping below; the ack stays what the listener made it
            if args.ack is not None and args.ack.response is None:
                await args.ack()
            outcome = args.context.get("outcome")  # a stored event: the intake settles it
            if outcome is None or outcome.record(exc):
                await on_error(exc, args.body, args.client, args.respond)

    listener.__name__ = listener.__qualname__ = fn.__name__
    return listener


def error_text(error: Exception) -> str:
    """A domain error's own message; anything else a reference id that is also logged."""
    if isinstance(error, FixloopError):
        return str(error)
    ref = secrets.token_hex(4)
    log.error("Slack request failed (reference %s)", ref, exc_info=error)
    return (
        f"Something went wrong on Fixloop's side (reference {ref}). "
        "Try again, or give the reference to your Fixloop admin."
    )


async def on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient, respond: Any) -> None:
    """The one error handler: the person who acted is told, privately; nothing changes.

    A form that failed after it closed (the database went away) is given back as text, so what the
    person typed is not lost with it.
    """
    text = error_text(error) + typed_back(body)
    try:
        await replies.tell(client, body, text, respond)
    except Exception:  # Slack itself is failing: the log keeps the message and the reference
        log.exception("could not tell the user: %s", text)


def typed_back(body: dict[str, Any]) -> str:
    """What a submitted form held, as text to resend; empty for anything but a form."""
    if body.get("type") != "view_submission":
        return ""
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    typed = []
    for block in values.values() if isinstance(values, dict) else ():
        for element in block.values() if isinstance(block, dict) else ():
            if not isinstance(element, dict):
                continue
            value = element.get("value") or (element.get("selected_option") or {}).get("value")
            if value:
                typed.append(str(value))
    return ("\nWhat you entered, to send again:\n" + "\n".join(typed))[:2500] if typed else ""
