"""Links Fixloop shows as links: plain http(s) URLs, nothing that can close or relabel chat markup."""

from __future__ import annotations

import re

# No whitespace, quotes, backticks, "|", "<", ">", brackets or backslashes: each could end a Slack <url|label>
# or an Adaptive Card [label](url) early and let the rest of the string pose as the label or a second link.
PLAIN_LINK = re.compile(r"https?://[^\s/$.?#|<>\"'`\\\[\]()][^\s|<>\"'`\\\[\]()]*", re.IGNORECASE)


def is_plain_link(url: str | None) -> bool:
    """Whether a URL is a plain http(s) link that chat markup can carry as is."""
    if not url:
        return False
    return PLAIN_LINK.fullmatch(url) is not None and url.isprintable()
