"""The sample ledger: fixed dates for tests, and a copy moved to end last week for `make run`."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tests.cli_support import ROOT, cli_for
from tests.conftest import empty_database

GENERATOR = ROOT / "samples" / "generate_tickets.py"
FIXED = ROOT / "samples" / "tickets.csv"
TIME_COLUMNS = ["created_at", "first_bot_reply_at", "first_human_reply_at", "resolved_at", "reopened_at",
                "closed_at", "escalated_at", "escalation_judged_at", "root_cause_at", "fix_shipped_at", "csat_at"]


def generate(out: Path, *args: str) -> str:
    """Run the generator as `make samples` does and return what it printed."""
    proc = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *args],
                          capture_output=True, text=True, check=True, timeout=60)
    return proc.stdout


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def times(cell: str) -> list[datetime]:
    return [datetime.fromisoformat(t) for t in cell.split(";")] if cell else []


def test_the_generator_still_writes_the_committed_ledger_byte_for_byte(tmp_path: Path):
    generate(tmp_path / "tickets.csv")
    assert (tmp_path / "tickets.csv").read_bytes() == FIXED.read_bytes()


def test_recent_samples_are_the_same_ledger_moved_by_whole_weeks_to_end_the_week_before_today(tmp_path: Path):
    said = generate(tmp_path / "recent.csv", "--recent", "--today", "2027-03-10")  # a Wednesday
    fixed, recent = rows(FIXED), rows(tmp_path / "recent.csv")
    assert "last week starts on Monday 2027-03-01" in said
    assert len(recent) == len(fixed) == 713
    week = timedelta(weeks=15)  # Monday 2026-11-23, the snapshot, to Monday 2027-03-08
    for old, new in zip(fixed, recent, strict=True):
        assert {k: v for k, v in new.items() if k not in TIME_COLUMNS} == {
            k: v for k, v in old.items() if k not in TIME_COLUMNS}
        for column in TIME_COLUMNS:
            assert times(new[column]) == [t + week for t in times(old[column])], (old["id"], column)
    created = [datetime.fromisoformat(r["created_at"]) for r in recent]
    monday = datetime(2027, 3, 8, tzinfo=UTC)  # of the week of "today"
    assert monday - timedelta(weeks=1) < max(created) < monday
    assert monday - timedelta(weeks=12) <= min(created) < monday - timedelta(weeks=11)


def test_any_day_of_a_week_gives_the_same_recent_ledger_and_today_comes_from_the_configured_time_zone(
    tmp_path: Path,
):
    generate(tmp_path / "monday.csv", "--recent", "--today", "2027-03-08")
    generate(tmp_path / "sunday.csv", "--recent", "--today", "2027-03-14")
    generate(tmp_path / "next.csv", "--recent", "--today", "2027-03-15")
    assert (tmp_path / "monday.csv").read_bytes() == (tmp_path / "sunday.csv").read_bytes()
    assert (tmp_path / "monday.csv").read_bytes() != (tmp_path / "next.csv").read_bytes()
    config = tmp_path / "fixloop.toml"
    config.write_text('timezone = "Pacific/Kiritimati"\n')  # UTC+14: already tomorrow there, most of the day
    said = generate(tmp_path / "zoned.csv", "--recent", "--config", str(config))
    kiritimati = (datetime.now(UTC) + timedelta(hours=14)).date()
    monday = kiritimati - timedelta(days=kiritimati.weekday())
    assert f"last week starts on Monday {monday - timedelta(weeks=1)}" in said


def test_after_make_samples_the_last_full_week_has_the_figures_of_the_ledgers_last_week(tmp_path: Path):
    config = tmp_path / "fixloop.toml"
    example = (ROOT / "fixloop.example.toml").read_text(encoding="utf-8")
    config.write_text(example.replace('timezone = "Europe/Berlin"', 'timezone = "UTC"'), encoding="utf-8")
    generate(tmp_path / "recent.csv", "--recent", "--config", str(config))
    with empty_database("sqlite", tmp_path, "recent") as recent_url, \
            empty_database("sqlite", tmp_path, "fixed") as fixed_url:
        recent, fixed = cli_for(recent_url, config), cli_for(fixed_url, config)
        for cli, ledger in ((recent, tmp_path / "recent.csv"), (fixed, FIXED)):
            cli.run("migrate")
            cli.run("import", "tickets", str(ledger), "--format", "csv", "--if-empty")
        now = json.loads(recent.run("kpis", "--json").stdout)  # the default period: the last full week
        then = json.loads(fixed.run("kpis", "--from", "2026-11-16", "--to", "2026-11-23", "--json").stdout)
    today = datetime.now(UTC).date()
    assert date.fromisoformat(now["to"][:10]) == today - timedelta(days=today.weekday())
    assert {k: now[k] for k in ("total", "internal", "external")} == {
        k: then[k] for k in ("total", "internal", "external")}
    total = now["total"]
    assert total["bot_deflection"] > 0 and total["resolution_hours"]["median"] is not None
    assert total["csat"]["mean"] is not None and total["first_response_minutes"]["median"] is not None
