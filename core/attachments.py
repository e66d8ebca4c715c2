"""Attachments: files and images sent with a request, kept as references (never their contents).

Fixloop stores what the platform says about a file (name, MIME type, size, its id and link there) so agents
see that the requester sent one; the file itself stays where the requester put it. A triage or escalation
post names the files and says they were not re-shared: a link to the platform's copy only opens for people
the platform already lets see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

MAX_ATTACHMENTS = 20  # references kept per message; Slack allows 10 files a message, Teams about as many
MAX_NAME = 255


@dataclass(frozen=True)
class Attachment:
    """A file or image on a ticket, as a reference to the platform's copy."""

    name: str
    mime_type: str = ""
    size: int | None = None  # bytes, when the platform says
    platform: str = ""
    file_id: str = ""  # the platform's id of the file (Slack F..., Teams uniqueId), when given
    url: str = ""  # the platform's link to it (Slack permalink, Teams contentUrl); opens only with access
    message_ref: str | None = None  # the message it came with

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attachment:
        """Read back what to_dict wrote."""
        fields = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in fields})

    @property
    def is_image(self) -> bool:
        """Whether the platform says this is an image."""
        return self.mime_type.startswith("image/")


def human_size(size: int | None) -> str:
    """A byte count as people read it: 980 B, 12 KB, 3.4 MB."""
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def label(attachment: Attachment) -> str:
    """One file as a line: its name, type and size (the name is text the requester chose: escape it)."""
    kind = attachment.mime_type or "unknown type"
    return f"{attachment.name} ({kind}, {human_size(attachment.size)})"


def headline(attachments: Sequence[Attachment]) -> str:
    """What agents are told about the files, saying they were not copied to their channel."""
    n = len(attachments)
    if n == 0:
        return ""
    return f"{n} attachment{'s' if n != 1 else ''} from the requester (not re-shared)"


def request_text(attachments: Sequence[Attachment]) -> str:
    """The text logged for a message that carried files and no words, so the transcript says what came."""
    names = ", ".join(a.name for a in attachments[:5])
    more = f" and {len(attachments) - 5} more" if len(attachments) > 5 else ""
    noun = "file" if len(attachments) == 1 else "files"
    return f"(sent {len(attachments)} {noun}: {names}{more})"


def files_of(attachments: Sequence[Attachment], message_ref: str | None) -> list[Attachment]:
    """The files of one message, each marked with the message it came with (at most MAX_ATTACHMENTS)."""
    return [replace(a, message_ref=message_ref) for a in attachments[:MAX_ATTACHMENTS]]


def only_files(text: str, attachments: Sequence[Attachment], ref: str | None) -> bool:
    """Whether a logged message was files alone: its text is the one request_text wrote for its files."""
    files = [a for a in attachments if a.message_ref == ref]
    return bool(files) and text == request_text(files)
