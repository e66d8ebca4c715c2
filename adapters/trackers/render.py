"""Issue drafts as tracker text, Markdown (GitHub, Linear) or Jira wiki markup, every text escaped here."""

from __future__ import annotations

import re

from core.links import is_plain_link
from core.trackers import IssueDraft, Item

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")
JIRA_SPECIAL = re.compile(r"([\\{}\[\]|*_+^~?#!\-])")
SPACE = re.compile(r"\s+")


def escape_markdown(text: str) -> str:
    """Text a person wrote, safe in GitHub or Linear Markdown: no markup, links, HTML or @mentions."""
    flat = SPACE.sub(" ", text).strip()
    # A zero-width space after @ stops a mention from notifying anyone.
    return MARKDOWN_SPECIAL.sub(r"\\\1", flat).replace("@", "@\u200b")


def escape_jira(text: str) -> str:
    """Text a person wrote, safe in Jira wiki markup: no markup, links, macros or [~mentions]."""
    return JIRA_SPECIAL.sub(r"\\\1", SPACE.sub(" ", text).strip()).replace("@", "@\u200b")


def safe_url(url: str | None) -> str | None:
    """A link Fixloop built, when it is a plain http(s) URL that no markup character can end early."""
    return url if is_plain_link(url) and "|" not in (url or "") else None


def markdown(draft: IssueDraft, *, with_title: bool = False) -> str:
    """The body of an issue or comment in Markdown."""
    out = [f"**{escape_markdown(draft.title)}**"] if with_title else []
    out += [escape_markdown(p) for p in draft.intro]
    for heading, items in draft.sections:
        out.append(f"### {escape_markdown(heading)}\n" + "\n".join(_md_item(i) for i in items))
    return "\n\n".join(out)


def _md_item(item: Item) -> str:
    url = safe_url(item.url)
    text = escape_markdown(item.text)
    return f"- [{text}]({url})" if url else f"- {text}"


def jira_wiki(draft: IssueDraft, *, with_title: bool = False) -> str:
    """The body of an issue or comment in Jira wiki markup (REST API v2 descriptions and comments)."""
    out = [f"*{escape_jira(draft.title)}*"] if with_title else []
    out += [escape_jira(p) for p in draft.intro]
    for heading, items in draft.sections:
        out.append(f"h3. {escape_jira(heading)}\n" + "\n".join(_jira_item(i) for i in items))
    return "\n\n".join(out)


def _jira_item(item: Item) -> str:
    url = safe_url(item.url)
    text = escape_jira(item.text)
    return f"* [{text}|{url.replace('|', '%7C')}]" if url else f"* {text}"
