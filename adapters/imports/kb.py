"""Knowledge articles from a folder of Markdown files with front matter, or from a CSV."""

from __future__ import annotations

from pathlib import Path

from adapters.imports.csvfile import Row, read_table, require_columns, unknown_columns
from adapters.imports.report import ImportFormatError, KbBatch, RowError
from adapters.imports.values import CellError, required, split_list
from core import limits
from core.kb import Article

CSV_COLUMNS = ("id", "title", "body", "surface", "tags", "owner", "url")
SURFACES = ("internal", "external")


def parse_kb(path: Path | str) -> KbBatch:
    """Read a knowledge base: a folder of Markdown files, one Markdown file, or a CSV."""
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(f"no such file or folder: {path}")
    if path.is_dir():
        return _folder(path, sorted(path.rglob("*.md")))
    if path.suffix.lower() == ".csv":
        return _csv(path)
    if path.suffix.lower() in (".md", ".markdown"):
        return _folder(path.parent, [path])
    raise ImportFormatError(f"{path.name}: a knowledge base is a folder of Markdown files or a CSV file")


def _folder(root: Path, files: list[Path]) -> KbBatch:
    """Every Markdown file an article; a broken file is reported and the rest still imported."""
    if not files:
        raise ImportFormatError(f"{root} holds no Markdown (.md) files")
    if len(files) > limits.MAX_KB_FILES:
        raise ImportFormatError(
            f"{root} holds {len(files):,} Markdown files; the limit is {limits.MAX_KB_FILES:,} per import"
        )
    batch = KbBatch(read=len(files))
    owner_of: dict[str, str] = {}  # article id -> the file that defined it first
    for file in files:
        name = file.relative_to(root).as_posix()
        try:
            article = _markdown(file)
        except CellError as exc:
            batch.errors.append(RowError(0, str(exc), file=name))
            continue
        if article.id in owner_of:
            reason = f"id {article.id!r} is already used by {owner_of[article.id]}"
            batch.errors.append(RowError(0, reason, file=name))
            continue
        owner_of[article.id] = name
        batch.articles.append(article)
    return batch


def _markdown(file: Path) -> Article:
    """One Markdown file; without front matter the id is the file name and the title its heading."""
    lines = _text(file).splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
        if end is None:
            raise CellError("the front matter opened on line 1 has no closing ---")
        meta, lines = _front_matter(lines[1:end]), lines[end + 1 :]
    body = "\n".join(lines).strip()
    return Article(
        id=meta.get("id") or file.stem,
        title=meta.get("title") or _heading(body) or file.stem,
        body=body,
        surface=_surface(meta.get("surface", "")),
        tags=tuple(split_list(meta.get("tags", "").strip("[]"), ",;")),
        owner=meta.get("owner") or None,
        url=meta.get("url") or None,
    )


def _text(file: Path) -> str:
    """A Markdown file's text, refusing oversize, binary and non-UTF-8 content."""
    size = file.stat().st_size
    if size > limits.MAX_ARTICLE_BYTES:
        raise CellError(f"is {size:,} bytes; the limit for one article is {limits.MAX_ARTICLE_BYTES:,} bytes")
    data = file.read_bytes()
    if b"\x00" in data:
        raise CellError("is a binary file, not Markdown")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CellError("is not UTF-8 text") from None


def _front_matter(lines: list[str]) -> dict[str, str]:
    """Simple `key: value` front matter; a `- item` line continues the previous key's list."""
    meta: dict[str, str] = {}
    key = ""
    for number, line in enumerate(lines, 2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") and key:
            meta[key] = ", ".join(v for v in (meta[key], stripped[2:].strip()) if v)
            continue
        key, colon, value = stripped.partition(":")
        if not colon or not key.strip():
            raise CellError(f"front matter line {number} is not 'key: value': {stripped!r}")
        key = key.strip().lower()
        meta[key] = _unquote(value.strip())
    return meta


def _unquote(value: str) -> str:
    """A YAML-style quoted value without its quotes; a quote that only ends the text is part of it."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _heading(body: str) -> str:
    """The first level-one heading of a Markdown body, or ""."""
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _surface(value: str) -> str | None:
    """internal, external, or None when the article serves both queues."""
    value = value.strip().lower()
    if value and value not in SURFACES:
        raise CellError(f"surface must be internal or external, not {value!r}")
    return value or None


def _csv(path: Path) -> KbBatch:
    """A CSV of articles, one per row; a repeated id is reported with both lines."""
    table = read_table(path)
    require_columns(table, ("id", "title", "body"), "a knowledge-base CSV")
    batch = KbBatch(
        errors=list(table.errors),
        unknown_columns=unknown_columns(table, CSV_COLUMNS),
        read=len(table.rows) + len(table.errors),
    )
    line_of: dict[str, int] = {}
    for row in table.rows:
        try:
            article = _csv_article(row)
        except CellError as exc:
            batch.errors.append(RowError(row.line, str(exc)))
            continue
        if article.id in line_of:
            reason = f"id {article.id!r} is already used on line {line_of[article.id]}"
            batch.errors.append(RowError(row.line, reason))
            continue
        line_of[article.id] = row.line
        batch.articles.append(article)
    batch.errors.sort(key=lambda e: e.line)
    return batch


def _csv_article(row: Row) -> Article:
    """One CSV row as an article; a body longer than an article may be is refused, never cut."""
    body = required(row, "body")
    if len(body.encode()) > limits.MAX_ARTICLE_BYTES:
        raise CellError(f"body is {len(body.encode()):,} bytes; the limit is {limits.MAX_ARTICLE_BYTES:,}")
    return Article(
        id=required(row, "id"),
        title=required(row, "title"),
        body=body,
        surface=_surface(row.get("surface")),
        tags=tuple(split_list(row.get("tags"), ",;")),
        owner=row.get("owner") or None,
        url=row.get("url") or None,
    )
