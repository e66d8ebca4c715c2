"""The real clock."""

from datetime import UTC, datetime


class SystemClock:
    """Timezone-aware UTC wall time."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)
