"""Reading an export as a table of rows that remember the line they start on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from adapters.imports.report import ImportFormatError, RowError
from core import limits


def norm(name: str) -> str:
    """A column name compared without regard to case or spacing."""
    return " ".join(name.split()).lower()


@dataclass
class Row:
    line: int  # where the row starts; a quoted newline makes a row span several lines
    cells: dict[str, list[str]]  # normalised column name -> its values (several when a column repeats)

    def get(self, column: str) -> str:
        """The first non-empty value of a column, stripped; "" when there is none."""
        values = self.all(column)
        return values[0] if values else ""

    def all(self, column: str) -> list[str]:
        """Every non-empty value of a column that the file repeats (Jira repeats Labels)."""
        return [v.strip() for v in self.cells.get(norm(column), []) if v.strip()]


@dataclass
class Table:
    columns: list[str]  # as spelled in the file
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        """The normalised column names."""
        return {norm(c) for c in self.columns if c.strip()}


def read_text(path: Path) -> str:
    """The file as text; refuse an oversize, empty, binary or non-UTF-8 file as a whole."""
    check_file_size(path, limits.MAX_IMPORT_BYTES)
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise ImportFormatError(
            f"{path.name} is a binary file, not CSV text (an Excel workbook? save it as 'CSV UTF-8')"
        )
    try:
        text = data.decode("utf-8-sig")  # -sig drops the byte-order mark Excel puts first
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{path.name} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from exc
    if not text.strip():
        raise ImportFormatError(f"{path.name} is empty")
    return text


def check_file_size(path: Path, limit: int) -> None:
    """Refuse a file larger than `limit` bytes before reading it, naming the limit."""
    size = path.stat().st_size
    if size > limit:
        raise ImportFormatError(
            f"{path.name} is {size:,} bytes; the limit is {limit:,} bytes. Split it into smaller files"
        )


def read_table(path: Path, *, allow_repeats: bool = False) -> Table:
    """Parse a comma-separated file with a header row into rows keyed by column."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        table = Table(columns=[c.strip() for c in next(reader)])
        _check_header(table, allow_repeats)
        last = reader.line_num
        for cells in reader:
            _add_row(table, cells, start=last + 1)
            last = reader.line_num
            if len(table.rows) + len(table.errors) > limits.MAX_IMPORT_ROWS:
                raise ImportFormatError(
                    f"{path.name} has more than {limits.MAX_IMPORT_ROWS:,} rows, the limit for one file. "
                    "Split it into smaller files"
                )
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own cap, 131,072 characters
            limit = f"{csv.field_size_limit():,}"
            reason = f"has a cell longer than {limit} characters, the limit for one cell"
            raise ImportFormatError(f"{path.name} line {reader.line_num} {reason}") from exc
        raise ImportFormatError(f"{path.name} line {reader.line_num + 1} is not valid CSV: {exc}") from exc
    return table


def _check_header(table: Table, allow_repeats: bool) -> None:
    """Refuse a header that names a column twice, unless the format does that on purpose."""
    seen: set[str] = set()
    for column in table.columns:
        key = norm(column)
        if key and key in seen and not allow_repeats:
            raise ImportFormatError(f"the header names column {column!r} twice")
        seen.add(key)


def _add_row(table: Table, cells: list[str], *, start: int) -> None:
    """Keep a data row, or record why it cannot be read."""
    if not any(c.strip() for c in cells):
        return  # blank lines are layout, not rows
    width = len(table.columns)
    if any(c.strip() for c in cells[width:]):
        table.errors.append(
            RowError(start, f"the row has {len(cells)} cells but the header has {width} columns")
        )
        return
    by_column: dict[str, list[str]] = {}
    for column, value in zip(table.columns, cells, strict=False):  # short rows: missing cells are empty
        if column:
            by_column.setdefault(norm(column), []).append(value)
    table.rows.append(Row(line=start, cells=by_column))


def require_columns(table: Table, required: Iterable[str], expected: str) -> None:
    """Refuse a file whose header lacks a column the format cannot do without."""
    missing = [c for c in required if norm(c) not in table.keys]
    if not missing:
        return
    message = f"this does not look like {expected}: missing columns {', '.join(missing)}"
    if len(table.columns) == 1 and any(sep in table.columns[0] for sep in ";\t|"):
        message += " (the header has no commas: Fixloop reads comma-separated files)"
    raise ImportFormatError(message)


def unknown_columns(table: Table, known: Iterable[str]) -> list[str]:
    """Columns the format does not use, as spelled in the file, each once."""
    wanted = {norm(k) for k in known}
    seen: set[str] = set()
    unknown = []
    for column in table.columns:
        key = norm(column)
        if key and key not in wanted and key not in seen:
            seen.add(key)
            unknown.append(column)
    return unknown
