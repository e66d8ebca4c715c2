"""The platform-neutral intake: store and acknowledge; a handler's outcome settles the stored event."""

from __future__ import annotations

from adapters.db.repositories import SqlRepositories
from adapters.intake import Intake, Outcome, handle
from adapters.queues import MAX_ATTEMPTS, InboxEvent
from core.errors import InvalidInput


async def stored(repos: SqlRepositories, key: str) -> InboxEvent:
    """Receive an event through the intake, then take it as a worker does."""
    counted: list[str] = []
    woken: list[bool] = []
    intake = Intake(repos.inbox, "chat", count=counted.append, stored=lambda: woken.append(True))
    assert await intake.receive(key, '{"text": "hi"}') and await intake.receive(key, '{"text": "hi"}')
    assert counted == ["new", "busy"] and woken == [True, True]  # a redelivery is acknowledged, not stored
    [event] = await repos.inbox.due()
    return event


async def test_a_handled_event_is_done_and_a_redelivery_is_dropped(repos: SqlRepositories) -> None:
    event = await stored(repos, "k1")
    seen: list[str] = []

    async def handler(e: InboxEvent) -> None:
        seen.append(e.payload)

    await handle(repos.inbox, event, handler)
    assert seen == ['{"text": "hi"}'] and await repos.inbox.counts() == {"done": 1}
    assert await Intake(repos.inbox, "chat").receive("k1", "{}") and await repos.inbox.due() == []


async def test_a_domain_error_is_final_and_any_other_failure_is_retried(repos: SqlRepositories) -> None:
    bad_input, crash = await stored(repos, "bad"), await stored(repos, "crash")

    async def refuse(_: InboxEvent) -> None:
        raise InvalidInput("that is not a ticket")

    async def fail(_: InboxEvent) -> None:
        raise RuntimeError("the connector went away")

    await handle(repos.inbox, bad_input, refuse)
    await handle(repos.inbox, crash, fail)
    assert await repos.inbox.counts() == {"done": 1, "new": 1}  # the crash waits for its replay


def test_the_person_hears_of_a_retryable_failure_only_on_the_last_attempt() -> None:
    early, last = Outcome(last_attempt=False), Outcome(last_attempt=True)
    assert not early.record(RuntimeError("x")) and last.record(RuntimeError("x"))
    assert Outcome().record(InvalidInput("bad")) and early.error is not None
    assert InboxEvent(1, "chat", "k", "{}", MAX_ATTEMPTS).last_attempt
