"""Tables as the pages show them and as CSV downloads give them: one model, so both always agree."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.console.charts import Chart

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


@dataclass(frozen=True)
class Cell:
    """What a table cell shows; `value` is the exact figure (CSV and data-value), `href` a link."""

    text: str
    value: Any = None
    href: str | None = None
    chart: Chart | None = None
    numeric: bool = False
    key: str | None = None  # data-key: what the figure is (tests compare it with the CLI's JSON)


@dataclass
class Table:
    name: str  # the ?csv= name and the file name
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def add(self, *cells: Cell | str | int | float | None) -> None:
        """Append a row; plain values become cells."""
        self.rows.append([c if isinstance(c, Cell) else plain(c) for c in cells])


def plain(value: str | int | float | None) -> Cell:
    """A cell for a plain value; numbers keep their value."""
    if value is None:
        return Cell("", None)
    if isinstance(value, int | float):
        return Cell(f"{value:,}" if isinstance(value, int) else f"{value:,.2f}", value, numeric=True)
    return Cell(value, value)


def safe_csv(value: Any) -> Any:
    """A CSV field that a spreadsheet shows as text, never runs as a formula (hostile subjects and titles)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """The table as CSV: a header row, then each row's exact values (text where a cell has no value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([safe_csv(c.value if c.value is not None else c.text) for c in row])
    return out.getvalue()


def csv_response(table: Table) -> web.Response:
    """A CSV download of one table."""
    headers = {"Content-Disposition": f'attachment; filename="fixloop-{table.name}.csv"'}
    return web.Response(text=to_csv(table), content_type="text/csv", charset="utf-8", headers=headers)
