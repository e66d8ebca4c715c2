"""Notifiers that are not a chat platform: the log (nothing connected), the console, a fan-out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from core.ports import Notice, Notifier

log = logging.getLogger("fixloop.notify")


class LogNotifier:
    """Where notices go when no chat platform is connected: the log, so nothing vanishes silently."""

    name = "log"

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    async def send(self, notice: Notice) -> None:
        """Log the notice and keep it for /healthz and tests."""
        self.sent.append(notice)
        del self.sent[:-200]  # bounded: this is a trace, not a store
        log.info(
            "notice (no chat platform connected) kind=%s to=%s ticket=%s",
            notice.kind,
            notice.to,
            notice.ticket_id,
        )


class CallbackNotifier:
    """Hands each notice to a function, e.g. the terminal chat that prints it."""

    def __init__(self, callback: Callable[[Notice], None]) -> None:
        self.callback = callback

    async def send(self, notice: Notice) -> None:
        """Pass the notice to the callback."""
        self.callback(notice)


class FanoutNotifier:
    """Sends every notice to each platform notifier; each decides whether the notice is for it.

    Each notifier is also a named destination ("log", "slack", "teams"), so a scheduled job can record
    which destinations took a notice and retry only the others.
    """

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = list(notifiers)
        self.by_name: dict[str, Notifier] = {}
        for i, notifier in enumerate(self.notifiers):
            name = str(getattr(notifier, "name", "") or type(notifier).__name__)
            self.by_name[name if name not in self.by_name else f"{name}{i}"] = notifier

    def destinations(self) -> list[str]:
        """The names of the destinations, in sending order."""
        return list(self.by_name)

    async def send_to(self, destination: str, notice: Notice) -> None:
        """Deliver to one destination only."""
        await self.by_name[destination].send(notice)

    async def send(self, notice: Notice) -> None:
        """Deliver to all; raise the first failure after trying every one."""
        errors: list[Exception] = []
        for notifier in self.notifiers:
            try:
                await notifier.send(notice)
            except Exception as exc:  # one platform down must not starve the others
                errors.append(exc)
        if errors:
            raise errors[0]
