"""The generic CSV ledger's fix columns: fix_tracker and fix_issue (cause), fix_notified_at (ticket)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from adapters.imports import parse_tickets

HEADER = "id,created_at,surface,cause,fix_url,fix_tracker,fix_issue,fix_shipped_at,fix_notified_at"


def _batch(tmp_path: Path, *rows: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "ledger.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return parse_tickets(path, "csv")


def test_the_fix_columns_land_on_the_cause_and_the_ticket(tmp_path: Path):
    batch = _batch(
        tmp_path,
        "T1,2026-11-02T09:00:00Z,internal,vpn,https://acme.atlassian.net/browse/OPS-7,jira,OPS-7,"
        "2026-11-10T10:00:00Z,2026-11-10T10:05:00Z",
        "T2,2026-11-03T09:00:00Z,internal,sso,https://github.com/acme/sso/issues/4,,,,",
    )
    assert not batch.errors and not batch.unknown_columns
    tickets = {t.id: t for t in batch.tickets}
    assert tickets["T1"].fix_notified_at == datetime(2026, 11, 10, 10, 5, tzinfo=UTC)
    assert tickets["T2"].fix_notified_at is None
    assert (batch.causes["vpn"].fix_tracker, batch.causes["vpn"].fix_issue) == ("jira", "OPS-7")
    # Without the cells, a tracker URL names its issue.
    assert (batch.causes["sso"].fix_tracker, batch.causes["sso"].fix_issue) == ("github", "acme/sso#4")


def test_an_unknown_tracker_and_rows_that_disagree_are_reported_by_line(tmp_path: Path):
    batch = _batch(
        tmp_path,
        "T1,2026-11-02T09:00:00Z,internal,vpn,,gitlab,X-1,,",
        "T2,2026-11-02T09:00:00Z,internal,sso,,github,acme/a#1,,",
        "T3,2026-11-03T09:00:00Z,internal,sso,,github,acme/a#2,,",
    )
    errors = {e.line: e.reason if hasattr(e, "reason") else str(e) for e in batch.errors}
    assert "fix_tracker must be one of github, jira, linear" in str(errors[2])
    assert "fix_issue" in str(errors[4])
