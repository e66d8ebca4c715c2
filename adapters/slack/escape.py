"""The one escaping for Slack: text a person or a model wrote, made safe for mrkdwn and a message's `text`.

Slack's "Formatting text" documentation: `&`, `<` and `>` are control characters and must be sent as
`&amp;`, `&lt;` and `&gt;`. Escaped, no `<!channel>`, `<!here>`, `<!subteam^...>`, `<@U...>` or
`<https://evil.example|click here>` can be forged; emphasis (`*bold*`) stays harmless text styling. The same
applies to the top-level `text` of a message (its notification and fallback), which Slack parses too.
"""

from __future__ import annotations

from core.links import is_plain_link


def esc(text: str) -> str:
    """Text a person or a model wrote, safe in Slack mrkdwn and in a message's plain `text`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str:
    """A link with an escaped label when the URL is a plain http(s) link; else the escaped label alone."""
    return f"<{url}|{esc(label)}>" if is_plain_link(url) else esc(label)


def bare_link(url: str | None) -> str:
    """A URL shown as itself: linked when it is a plain http(s) link, else escaped text."""
    return f"<{url}>" if is_plain_link(url) else esc(url or "")
