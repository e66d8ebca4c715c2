"""An outbox that crashes on write, to show nothing half-done is visible."""

from __future__ import annotations

from adapters.db.outbox import SqlOutbox


class Crash(Exception):
    """Stands for the process dying at this very point."""


class CrashingOutbox(SqlOutbox):
    async def put(self, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        raise Crash("died after the change was written, before its outbox rows")
