"""Size limits on every input, in one place; over-limit input is refused whole, never cut."""

from __future__ import annotations

from core.errors import InvalidInput

MAX_TEXT = 40_000  # characters of one chat message, agent reply or imported text cell
MAX_RAW_TEXT = 4 * MAX_TEXT  # characters of a platform message before markup is stripped (Teams HTML)
MAX_FIELD = 3_000  # characters of one form field: escalation reason, root cause, a review part
MAX_TITLE = 120  # characters of a cause's short name
MAX_URL = 2_000  # characters of a fix link
MAX_COMMAND = 2_000  # characters of a slash command's or typed command's arguments
MAX_BUTTON_VALUE = 2_000  # characters of a button value or a modal's private_metadata (Slack's limit)
MAX_CARD_FIELDS = 30  # inputs in one Teams card submit
MAX_ID = 200  # characters of a platform id (user, channel, message ts, conversation)
MAX_IMPORT_BYTES = 1024 * 1024 * 1024  # bytes of one import file (streamed: memory does not grow with it)
MAX_IMPORT_ROWS = 1_000_000  # data rows in one import file
MAX_KB_FILES = 10_000  # Markdown files in one knowledge-base folder
MAX_ARTICLE_BYTES = 1024 * 1024  # bytes of one knowledge article (a Markdown file, or a CSV body cell)


def check_size(value: str, limit: int, what: str) -> str:
    """Return the value, or refuse it when it is longer than `limit` characters, naming the limit."""
    if len(value) > limit:
        raise InvalidInput(
            f"The {what} is {len(value):,} characters; the limit is {limit:,}. Shorten it and try again."
        )
    return value
