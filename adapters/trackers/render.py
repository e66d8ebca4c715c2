"""Issue drafts as tracker text, Markdown (GitHub, Linear) or Jira wiki markup, every text escaped here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Markup:
    """How one tracker syntax writes the parts of an issue body; every text goes through `escape`."""

    escape: Callable[[str], str]
    title: str  # a format with one {} for the escaped title
    heading: str
    bullet: str
    link: Callable[[str, str], str]  # (escaped text, safe URL) -> a link


def _render(draft: IssueDraft, markup: _Markup, with_title: bool) -> str:
    out = [markup.title.format(markup.escape(draft.title))] if with_title else []
    out += [markup.escape(p) for p in draft.intro]
    for heading, items in draft.sections:
        lines = "\n".join(markup.bullet + _item(i, markup) for i in items)
        out.append(markup.heading.format(markup.escape(heading)) + "\n" + lines)
    return "\n\n".join(out)


def _item(item: Item, markup: _Markup) -> str:
    url, text = safe_url(item.url), markup.escape(item.text)
    return markup.link(text, url) if url else text


MARKDOWN = _Markup(escape_markdown, "**{}**", "### {}", "- ", lambda text, url: f"[{text}]({url})")
JIRA_WIKI = _Markup(
    escape_jira, "*{}*", "h3. {}", "* ", lambda text, url: f"[{text}|{url.replace('|', '%7C')}]"
)


def markdown(draft: IssueDraft, *, with_title: bool = False) -> str:
    """The body of an issue or comment in Markdown."""
    return _render(draft, MARKDOWN, with_title)


def jira_wiki(draft: IssueDraft, *, with_title: bool = False) -> str:
    """The body of an issue or comment in Jira wiki markup (REST API v2 descriptions and comments)."""
    return _render(draft, JIRA_WIKI, with_title)
