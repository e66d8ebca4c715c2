"""The incident card on Teams: sent once per channel, then updated in place as the incident grows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botbuilder.core import BotAdapter, MessageFactory, TurnContext
from botbuilder.schema import ConversationReference

from adapters.teams import cards, incident_cards
from adapters.teams.escape import md
from core.ports import Notice

if TYPE_CHECKING:
    from core.desk import Desk


async def send(
    adapter: BotAdapter, app_id: str, desk: Desk, notice: Notice, reference: ConversationReference
) -> None:
    """Draw the incident as it is now; update its card in the channel, or send it the first time."""
    if desk.incidents is None:
        return
    incident, tickets = await desk.incident_view(str(notice.data.get("incident_id") or ""))
    activity = MessageFactory.attachment(
        cards.attachment(incident_cards.incident(incident, tickets)), text=md(notice.text[:1000])
    )
    conversation = reference.conversation.id if reference.conversation else ""
    place = f"teams:{conversation}"
    ref = await desk.incidents.post_ref(incident.id, place)
    sent: list[str] = []
    failures: list[Exception] = []

    async def callback(turn_context: TurnContext) -> None:
        try:
            if ref is not None:
                activity.id = ref["activity_id"]
                await turn_context.update_activity(activity)
            else:
                answer = await turn_context.send_activity(activity)
                sent.append(answer.id if answer else "")
        except Exception as exc:  # raised after the turn: the adapter's error handler would swallow it
            failures.append(exc)

    await adapter.continue_conversation(reference, callback, bot_app_id=app_id)
    if failures:
        raise failures[0]
    if sent and sent[0]:
        await desk.incidents.remember_post(incident.id, place, {"activity_id": sent[0]})
