"""The one escaping for Teams: text a person or a model wrote, made inert in Adaptive Card markdown.

TextBlocks and FactSet values render a CommonMark subset (bold, italic, lists, `[label](url)` links), and
some Teams clients go further (images, HTML-ish tags, `{{DATE()}}` functions). Every markdown punctuation
character is backslash-escaped, CommonMark's own way; a renderer that ignores backslash escapes still sees
a backslash between `]` and `(` (so no link or image), between two `*` (no emphasis) and between two `{`.
The same text rules apply to a message's own `text`, which Teams renders as markdown too.
"""

from __future__ import annotations

import re

from core.links import is_plain_link

SPECIAL = re.compile(r"([\\`*_\[\]()!#<>~|{}&])")
BULLET = re.compile(r"(?m)^(\s*)([-+])(?=\s)")
NUMBERED = re.compile(r"(?m)^(\s*\d+)\.(?=\s)")


def md(text: str) -> str:
    """Text a person or a model wrote, shown literally in a TextBlock, a FactSet value or a message's text."""
    escaped = SPECIAL.sub(r"\\\1", text)
    # "- item", "+ item" and "1. item" at a line's start would become lists.
    return NUMBERED.sub(r"\1\\.", BULLET.sub(r"\1\\\2", escaped))


def md_link(url: str | None, label: str) -> str:
    """A markdown link with an escaped label when the URL is a plain http(s) link; else the escaped label."""
    return f"[{md(label)}]({url})" if is_plain_link(url) else md(label)


def md_url(url: str | None) -> str:
    """A URL shown as itself: linked when it is a plain http(s) link, else escaped text."""
    return f"[{md(url or '')}]({url})" if is_plain_link(url) else md(url or "")
