"""Reading an export as a table of rows that remember the line they start on."""

from __future__ import annotations

import codecs
import csv
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from adapters.imports.report import ImportFormatError, RowError
from core import limits


@functools.lru_cache(maxsize=4096)
def norm(name: str) -> str:
    """A column name compared without regard to case or spacing."""
    return " ".join(name.split()).lower()


class Row:
    """One data row: where it starts (a quoted newline makes a row span several lines) and its cells."""

    __slots__ = ("line", "_keys", "_values", "_first", "_cells")

    def __init__(self, line: int, keys: list[str], values: list[str]) -> None:
        self.line = line
        self._keys, self._values = keys, values  # normalised column names ("" for unnamed), raw cells
        self._first: dict[str, str] | None = None
        self._cells: dict[str, list[str]] | None = None

    @property
    def cells(self) -> dict[str, list[str]]:
        """Normalised column name -> its values (several when a column repeats)."""
        if self._cells is None:
            self._cells = {}
            for key, value in zip(self._keys, self._values, strict=False):  # short rows: missing is empty
                if key:
                    self._cells.setdefault(key, []).append(value)
        return self._cells

    def get(self, column: str) -> str:
        """The first non-empty value of a column, stripped; "" when there is none."""
        if self._first is None:
            self._first = _first_values(self._keys, self._values)
        found = self._first.get(column)
        return found if found is not None else self._first.get(norm(column), "")

    def longest(self) -> int:
        """The length of the row's longest cell, used or not."""
        return max(map(len, self._values), default=0)

    def all(self, column: str) -> list[str]:
        """Every non-empty value of a column that the file repeats (Jira repeats Labels)."""
        return [v.strip() for v in self.cells.get(norm(column), []) if v.strip()]


def _first_values(keys: list[str], values: list[str]) -> dict[str, str]:
    """Each column's first non-empty value, stripped: at C speed when no column repeats."""
    first = dict(zip(keys, map(str.strip, values), strict=False))
    if len(first) < len(keys):  # a repeated column (or several unnamed ones): the first non-empty wins
        first = {}
        for key, value in zip(keys, map(str.strip, values), strict=False):
            if value and not first.get(key):
                first[key] = value
    return first


@dataclass
class Table:
    columns: list[str]  # as spelled in the file
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        """The normalised column names."""
        return {norm(c) for c in self.columns if c.strip()}


HEAD_BYTES = 65536  # what is looked at before reading: binary files show a NUL byte early


def _check_head(path: Path, head: bytes, *, whole: bool) -> None:
    """Refuse a binary file, and an empty one when the head is the whole file."""
    if b"\x00" in head:
        raise ImportFormatError(
            f"{path.name} is a binary file, not CSV text (an Excel workbook? save it as 'CSV UTF-8')"
        )
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=whole)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc.start) from exc
    if whole and not text.strip():
        raise ImportFormatError(f"{path.name} is empty")


def _not_utf8(path: Path, at: int) -> ImportFormatError:
    return ImportFormatError(f"{path.name} is not UTF-8 text (byte {at}); save it as 'CSV UTF-8'")


def _first_bad_byte(path: Path) -> int:
    """Where a file stops being UTF-8: found again on the error path, so reading needs no bookkeeping."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with path.open("rb") as file:
        while True:
            chunk = file.read(1 << 20)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return done - pending + exc.start
            if not chunk:
                return done
            done += len(chunk)


def check_file_size(path: Path, limit: int) -> None:
    """Refuse a file larger than `limit` bytes before reading it, naming the limit."""
    size = path.stat().st_size
    if size > limit:
        raise ImportFormatError(
            f"{path.name} is {size:,} bytes; the limit is {limit:,} bytes. Split it into smaller files"
        )


class TableStream:
    """A CSV file read one row at a time: the header up front, then rows and row errors in file order."""

    def __init__(self, path: Path, *, allow_repeats: bool = False) -> None:
        check_file_size(path, limits.MAX_IMPORT_BYTES)
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES + 1)
        _check_head(path, head[:HEAD_BYTES], whole=len(head) <= HEAD_BYTES)
        self.path = path
        self.rows_read = 0  # data rows seen so far, good or bad; blank lines are not rows
        header = next(iter(self._records()), None)
        self.columns = [c.strip() for c in header[1]] if header else []
        _check_header(self.columns, allow_repeats)
        self._keys = [norm(c) if c else "" for c in self.columns]

    @property
    def keys(self) -> set[str]:
        """The normalised column names."""
        return {k for k in self._keys if k}

    def __iter__(self) -> Iterator[Row | RowError]:
        """Each data row, or the reason it cannot be read; raise ImportFormatError for a broken file."""
        records = iter(self._records())
        next(records, None)  # the header, read in __init__
        for start, cells in records:
            item = _row(self._keys, cells, start)
            if item is None:
                continue
            self.rows_read += 1
            if self.rows_read > limits.MAX_IMPORT_ROWS:
                raise ImportFormatError(
                    f"{self.path.name} has more than {limits.MAX_IMPORT_ROWS:,} rows, the limit for one "
                    "file. Split it into smaller files"
                )
            yield item

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(first line, cells) of every CSV record, decoding as it goes."""
        with self.path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file)
            last = 0
            try:
                for cells in reader:
                    yield last + 1, cells
                    last = reader.line_num
            except csv.Error as exc:
                raise _csv_error(self.path, reader.line_num, exc) from exc
            except UnicodeDecodeError as exc:
                raise _not_utf8(self.path, _first_bad_byte(self.path)) from exc


def _csv_error(path: Path, line: int, exc: csv.Error) -> ImportFormatError:
    if "field larger than field limit" in str(exc):  # the csv module's own cap, 131,072 characters
        limit = f"{csv.field_size_limit():,}"
        return ImportFormatError(
            f"{path.name} line {line} has a cell longer than {limit} characters, the limit for one cell"
        )
    return ImportFormatError(f"{path.name} line {line + 1} is not valid CSV: {exc}")


def read_table(path: Path, *, allow_repeats: bool = False) -> Table:
    """Parse a whole comma-separated file with a header row into rows keyed by column."""
    stream = TableStream(path, allow_repeats=allow_repeats)
    table = Table(columns=stream.columns)
    for item in stream:
        if isinstance(item, RowError):
            table.errors.append(item)
        else:
            table.rows.append(item)
    return table


def _check_header(columns: list[str], allow_repeats: bool) -> None:
    """Refuse a header that names a column twice, unless the format does that on purpose."""
    seen: set[str] = set()
    for column in columns:
        key = norm(column)
        if key and key in seen and not allow_repeats:
            raise ImportFormatError(f"the header names column {column!r} twice")
        seen.add(key)


def _row(keys: list[str], cells: list[str], start: int) -> Row | RowError | None:
    """A data row, the reason it cannot be read, or None for a blank line (layout, not a row)."""
    if not any(c.strip() for c in cells):
        return None
    width = len(keys)
    if any(c.strip() for c in cells[width:]):
        return RowError(start, f"the row has {len(cells)} cells but the header has {width} columns")
    return Row(start, keys, cells)


def require_columns(table: Table | TableStream, required: Iterable[str], expected: str) -> None:
    """Refuse a file whose header lacks a column the format cannot do without."""
    missing = [c for c in required if norm(c) not in table.keys]
    if not missing:
        return
    message = f"this does not look like {expected}: missing columns {', '.join(missing)}"
    if len(table.columns) == 1 and any(sep in table.columns[0] for sep in ";\t|"):
        message += " (the header has no commas: Fixloop reads comma-separated files)"
    raise ImportFormatError(message)


def unknown_columns(table: Table | TableStream, known: Iterable[str]) -> list[str]:
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
