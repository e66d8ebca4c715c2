"""Property-based tests of every import parser: any file imports, reports its bad rows, or is refused whole."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.imports import FORMATS, ImportBatch, ImportFormatError, KbBatch, parse_kb, parse_tickets
from adapters.imports.columns import JIRA_COLUMNS, SERVICENOW_COLUMNS, ZENDESK_COLUMNS
from adapters.imports.kb import CSV_COLUMNS
from adapters.imports.ledger import COLUMNS as LEDGER_COLUMNS
from core.tickets import Ticket
from tests.hostile import TEXT

FAST = settings(max_examples=100, deadline=None)
HEADERS = {"csv": LEDGER_COLUMNS, "zendesk": ZENDESK_COLUMNS, "jira": JIRA_COLUMNS,
           "servicenow": SERVICENOW_COLUMNS, "kb": CSV_COLUMNS}  # fmt: skip
CELLS = st.one_of(
    TEXT,
    st.sampled_from(["", "2026-03-02T09:15:00Z", "2026-03-02 09:15:00", "05/Mar/26 9:15 AM", "internal",
                     "external", "urgent", "1 - Critical", "5", "4.0", "-3", "1e400", "nan", "good", "a;b;;c",
                     "resolved", "Done", "needed", "article", "FX-AB12CD", "x" * 40_001, "\x00"]),
)  # fmt: skip


@st.composite
def csv_text(draw: st.DrawFn, columns: tuple[str, ...]) -> str:
    """A CSV file whose header mixes the format's columns with junk, and rows of odd cells."""
    header = draw(st.lists(st.one_of(st.sampled_from(columns), TEXT), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


RAW = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode))


def parsed(parse, name: str, content: bytes):  # type: ignore[no-untyped-def]
    """Write the content to a file and parse it: a batch, or ImportFormatError with a message."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            return parse(path)
        except ImportFormatError as exc:
            assert str(exc).strip()
            return None


def check_tickets(batch: ImportBatch | None) -> None:
    if batch is None:
        return
    assert all(isinstance(t, Ticket) and t.created_at.tzinfo is not None for t in batch.tickets)
    assert all(len(t.text or "") <= 40_000 for t in batch.tickets)
    assert batch.rows_read >= len(batch.tickets) and all(str(e) for e in batch.errors)


@FAST
@given(st.sampled_from(FORMATS), st.one_of(RAW, st.sampled_from(FORMATS).flatmap(lambda f: csv_text(HEADERS[f]))
                                          .map(str.encode)))
def test_any_ticket_file_imports_reports_bad_rows_or_is_refused_whole(fmt, content):
    check_tickets(parsed(lambda p: parse_tickets(p, fmt), "export.csv", content))


@FAST
@given(st.sampled_from(FORMATS).flatmap(lambda f: st.tuples(st.just(f), csv_text(HEADERS[f]))))
def test_a_file_in_its_own_format_with_hostile_cells_imports_or_reports_rows(case):
    fmt, text = case
    check_tickets(parsed(lambda p: parse_tickets(p, fmt), "export.csv", text.encode()))


def check_articles(batch: KbBatch | None) -> None:
    if batch is None:
        return
    assert all(isinstance(a.id, str) and a.id and isinstance(a.body, str) for a in batch.articles)
    assert len({a.id for a in batch.articles}) == len(batch.articles) and all(str(e) for e in batch.errors)


@FAST
@given(st.one_of(RAW, csv_text(CSV_COLUMNS).map(str.encode)))
def test_any_knowledge_base_csv_imports_reports_bad_rows_or_is_refused_whole(content):
    check_articles(parsed(parse_kb, "kb.csv", content))


FRONT = st.lists(st.one_of(TEXT, st.sampled_from(["id: kb-1", "title: T", "surface: internal", "surface: mars",
                                                   "tags: [a, b]", "- item", "no colon", ": empty", "# note"])),
                 max_size=6)  # fmt: skip


@FAST
@given(st.one_of(RAW, st.tuples(FRONT, TEXT, st.booleans()).map(
    lambda c: ("---\n" + "\n".join(c[0]) + ("\n---\n" if c[2] else "\n") + c[1]).encode())))
def test_any_markdown_article_imports_or_is_reported(content):
    check_articles(parsed(parse_kb, "article.md", content))
