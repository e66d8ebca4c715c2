"""Teams files and images on a message activity as attachment references.

A file sent in a personal chat arrives as an attachment of content type
`application/vnd.microsoft.teams.file.download.info` with `name`, `contentUrl` (the file in the sender's
OneDrive or SharePoint: it opens only for people with access) and `content` {`downloadUrl`, `uniqueId`,
`fileType`}. The `downloadUrl` is pre-authorised: anyone holding it can fetch the file, so Fixloop never
stores, shows or follows it. A pasted image arrives as an `image/*` attachment whose `contentUrl` needs the
bot's token: kept by name and type only. The `text/html` copy of the message and Fixloop's own cards are
not files.
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from adapters.teams.escape import md, md_link
from adapters.teams.ids import PLATFORM
from core.attachments import MAX_ATTACHMENTS, MAX_NAME, Attachment, headline, label
from core.limits import MAX_URL
from core.links import is_plain_link

FILE = "application/vnd.microsoft.teams.file.download.info"


def _field(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _file(kind: str, name: str, url: str, content: object) -> Attachment | None:
    """One attachment as a reference, or None when it is not a file or an image."""
    info = content if isinstance(content, dict) else {}
    if kind == FILE:
        file_type = _field(info.get("fileType"), 20)
        url = url.replace(" ", "%20")  # OneDrive paths have spaces ("Microsoft Teams Chat Files")
        link = url if is_plain_link(url) and len(url) <= MAX_URL else ""
        mime = f"application/{file_type}" if file_type else ""
        unique = _field(info.get("uniqueId"), 200)
        return Attachment(name or "a file", mime, None, PLATFORM, unique, link)
    if kind.startswith("image/"):
        return Attachment(name or "an image", kind, None, PLATFORM)  # the bot's URL: no link for people
    return None


def files_of(activity: Activity) -> tuple[Attachment, ...]:
    """The files and images a message activity carries, as references (at most MAX_ATTACHMENTS)."""
    out = []
    for item in (activity.attachments or [])[:MAX_ATTACHMENTS]:
        kind = _field(getattr(item, "content_type", None), 200).lower()
        name = _field(getattr(item, "name", None), MAX_NAME)
        url = _field(getattr(item, "content_url", None), MAX_URL + 1)
        found = _file(kind, name, url, getattr(item, "content", None))
        if found is not None:
            out.append(found)
    return tuple(out)


def attachment_facts(attachments: list[Attachment] | list[dict[str, Any]]) -> list[tuple[str, str]]:
    """FactSet rows for agents: the files the requester sent, said not to be re-shared, linked only to the
    requester's own OneDrive or SharePoint copy (which opens only for people with access)."""
    files = [a if isinstance(a, Attachment) else Attachment.from_dict(a) for a in attachments]
    if not files:
        return []
    shown = [md_link(a.url, label(a)) if a.platform == PLATFORM else md(label(a)) for a in files[:10]]
    more = [f"and {len(files) - 10} more"] if len(files) > 10 else []
    return [(headline(files).capitalize(), "; ".join(shown + more))]
