"""`console`: a one-time console sign-in link, only in the person's own chat with Fixloop."""

from __future__ import annotations

from botbuilder.core import MessageFactory, TurnContext

from adapters.teams.ids import PLATFORM
from core.desk import Desk
from core.errors import InvalidInput

ELSEWHERE = (
    "A sign-in link signs in whoever opens it, so I only send it in our personal chat: "
    "type `console` there."
)


async def on_console(turn_context: TurnContext, desk: Desk, user: str) -> None:
    """Reply with the link in a personal chat; in a channel or group chat, say where to ask instead."""
    conversation = turn_context.activity.conversation
    if conversation is None or conversation.conversation_type != "personal":
        raise InvalidInput(ELSEWHERE)
    link = await desk.console_link(user, platform=PLATFORM)
    await turn_context.send_activity(MessageFactory.text(link.to_text()))
