"""Published articles written as Markdown files that `fixloop import kb FOLDER` reads back."""

from __future__ import annotations

import re
from pathlib import Path

SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MarkdownFolder:
    """One `<article id>.md` per published article in a folder (made on first use)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def write(self, article_id: str, markdown: str) -> str:
        """Write (or replace) the article's file; the path it was written to."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"{SAFE.sub('-', article_id).strip('.-') or 'article'}.md"
        tmp = path.with_suffix(".md.tmp")
        tmp.write_text(markdown, encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a file
        return str(path)
