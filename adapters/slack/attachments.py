"""Slack files on a message (a `file_share` message or any message with `files`) as attachment references.

A file object in a message event carries `id`, `name`, `title`, `mimetype`, `size`, `url_private` and
`permalink`. Fixloop keeps the permalink (it opens only for people Slack lets see the file) and never the
`url_private` download link, and downloads nothing. In a Slack Connect channel a file may arrive as
`{"id": "F...", "mode": "file_access", "file_access": "check_file_info"}`: it is kept by its id alone.
"""

from __future__ import annotations

from typing import Any

from adapters.payload import text
from adapters.slack.escape import esc, link
from adapters.slack.ids import PLATFORM
from core.attachments import MAX_ATTACHMENTS, MAX_NAME, Attachment, headline, label
from core.limits import MAX_URL
from core.links import is_plain_link


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _file(data: dict[str, Any]) -> Attachment:
    file_id = text(data, "id") or ""
    name = (
        text(data, "name", MAX_NAME)
        or text(data, "title", MAX_NAME)
        or (f"file {file_id}" if file_id else "a file")
    )
    url = text(data, "permalink", MAX_URL) or ""
    return Attachment(
        name=name,
        mime_type=text(data, "mimetype") or "",
        size=_size(data.get("size")),
        platform=PLATFORM,
        file_id=file_id,
        url=url if is_plain_link(url) else "",
    )


def files_of(event: object) -> tuple[Attachment, ...]:
    """The files a message event carries, as references (at most MAX_ATTACHMENTS); none if malformed."""
    files = event.get("files") if isinstance(event, dict) else None
    if not isinstance(files, list):
        return ()
    return tuple(_file(f) for f in files[:MAX_ATTACHMENTS] if isinstance(f, dict))


def attachment_lines(attachments: list[Attachment] | list[dict[str, Any]]) -> str:
    """mrkdwn for agents: how many files the requester sent, that they were not re-shared, and each file
    (linked to Slack's own copy when it is a Slack file: only people Slack lets see it can open it)."""
    files = [a if isinstance(a, Attachment) else Attachment.from_dict(a) for a in attachments]
    if not files:
        return ""
    lines = [f"*{headline(files)}:*"]
    for a in files[:10]:
        shown = link(a.url, label(a)) if a.platform == PLATFORM else esc(label(a))
        lines.append(f"• {shown}")
    if len(files) > 10:
        lines.append(f"• and {len(files) - 10} more")
    return "\n".join(lines)
