"""The `fixloop` command line on the sample data, run as a user runs it: a subprocess on a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_support import ROOT, Cli, cli_for
from tests.conftest import BACKENDS, empty_database

KPI_KEYS = {
    "repeat_cause_rate", "cause_coverage", "ticket_to_fix_conversion", "time_to_root_cause_hours",
    "escalation_accuracy", "escalations_unjudged_share", "deflection_by_root_cause_elimination", "bot_deflection",
    "first_response_minutes", "bot_first_reply_seconds", "resolution_hours", "first_contact_resolution",
    "reopen_rate", "backlog", "csat", "knowledge_reuse", "consistency",
    "time_to_fix_hours", "fix_hold_rate", "requesters_told_of_fix", "sla_breach_rate",
}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A database migrated by `fixloop migrate` and loaded with the samples by `fixloop import`."""
    with empty_database(request.param, tmp_path_factory.mktemp("cli"), "fixloop_cli") as url:
        cli = cli_for(url)
        cli.run("migrate")
        first_kb = cli.run("import", "kb", "samples/kb")
        first = cli.run("import", "tickets", "samples/tickets.csv", "--format", "csv")
        assert "38 rows read, 38 new" in first_kb.stdout
        assert "713 rows read, 713 new, 0 updated, 0 rejected" in first.stdout
        yield cli


def test_importing_the_same_file_twice_updates_and_never_duplicates(loaded: Cli):
    again = loaded.run("import", "tickets", "samples/tickets.csv", "--format", "csv")
    assert "713 rows read, 0 new, 713 updated, 0 rejected" in again.stdout
    skipped = loaded.run("import", "tickets", "samples/tickets.csv", "--format", "csv", "--if-empty")
    assert "nothing imported" in skipped.stdout


def test_causes_json_ranks_by_impact_and_flags_causes_seen_in_both_queues(loaded: Cli):
    data = json.loads(loaded.run("causes", "--json").stdout)
    causes = data["causes"]
    assert len(causes) == 8
    impacts = [c["impact"] for c in causes]
    assert impacts == sorted(impacts, reverse=True)
    both = {c["key"] for c in causes if c["cross_surface"]}
    assert both == {"csv-export-timeout", "sso-mfa-push-timeout"}
    export = next(c for c in causes if c["key"] == "csv-export-timeout")
    assert export["tickets"] == 103 and export["owner"] == "data-platform" and export["fix_status"] == "none"
    assert export["root_cause_at"] == "2026-11-03T11:25:00+00:00"
    assert len(export["evidence"]) == 3 and all(e.startswith("T-") for e in export["evidence"])


def test_kpis_json_has_every_key_per_surface_and_null_for_no_data(loaded: Cli):
    data = json.loads(loaded.run("kpis", "--from", "2026-11-09", "--to", "2026-11-16", "--json").stdout)
    assert {"from", "to", "total", "internal", "external"} <= set(data)
    assert set(data) - {"from", "to", "total", "internal", "external"} <= {"reviews"}  # additive only
    assert data["from"].startswith("2026-11-08T23:00:00")  # midnight in Europe/Berlin, from fixloop.toml
    for surface in ("total", "internal", "external"):
        assert set(data[surface]) == KPI_KEYS
    assert data["total"]["backlog"]["open"] >= data["internal"]["backlog"]["open"]
    empty = json.loads(loaded.run("kpis", "--from", "2020-01-06", "--to", "2020-01-13", "--json").stdout)
    assert empty["total"]["repeat_cause_rate"] is None and empty["total"]["csat"]["mean"] is None
    assert empty["total"]["bot_deflection"] == 0


def test_kpis_refuse_a_bad_date_with_a_clear_message(loaded: Cli):
    bad = loaded.run("kpis", "--from", "last tuesday", "--to", "2026-11-16", check=False)
    assert bad.returncode == 2 and "last tuesday" in bad.stderr and "Traceback" not in bad.stderr


def test_digest_prints_kpis_causes_and_wins(loaded: Cli):
    text = loaded.run("digest", "--from", "2026-11-16", "--to", "2026-11-23").stdout
    assert "Fixloop weekly digest: Mon 2026-11-16 00:00" in text
    assert "Top causes by business impact" in text and "csv-export-timeout" in text
    assert "Seen in both the internal and the external queue" in text
    assert "Shipped fixes prevented about" in text


# Runs one command line in process, then says which of the heavy libraries that process imported.
IMPORTED_AFTER = """import json, sys
from bot.cli import main
code = main(sys.argv[1:])
print(json.dumps([m for m in ("sklearn", "scipy", "numpy", "bot.wiring") if m in sys.modules]), file=sys.stderr)
sys.exit(code)"""
# The same command line through the full runtime and the desk, as every command ran before bot/reads.py.
THROUGH_THE_DESK = """import asyncio, sys
from bot import commands
from bot.cli import _parser, _with_runtime
from bot.settings import Settings
args = _parser().parse_args(sys.argv[1:])
sys.exit(asyncio.run(_with_runtime(Settings(), getattr(commands, args.command), args)))"""
READS = [("kpis", "--json"), ("causes",), ("digest", "--from", "2026-11-16", "--to", "2026-11-23")]


def python(cli: Cli, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=cli.env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("args", READS, ids=lambda a: a[0])
def test_read_only_commands_never_import_the_models_libraries(loaded: Cli, args: tuple[str, ...]):
    proc = python(loaded, IMPORTED_AFTER, *args)
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
    assert proc.stdout.strip()


# Builds the runtime as `fixloop serve` does (its models loaded; no Slack, Teams or GitHub configured) or as
# the read paths' processes do (no models: bench/read_paths.py), answers two reads, then says which of the
# libraries loaded only where they are used that process imported.
RUNTIME_IMPORTS = """import asyncio, json, sys
from bot.server import create_app
from bot.settings import Settings
from bot.wiring import build_runtime
async def main(serve):
    runtime = await build_runtime(Settings(), load_indexes=serve)
    try:
        create_app(runtime)
        await runtime.desk.queue()
        await runtime.desk.ranked_causes(limit=5)
    finally:
        await runtime.close()
asyncio.run(main(sys.argv[1] == "serve"))
heavy = ("sklearn", "scipy", "botbuilder", "botframework", "msal", "matplotlib", "alembic", "github")
print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)"""


def test_a_served_process_imports_the_models_libraries_and_not_those_of_what_is_off(loaded: Cli):
    imported = json.loads(python(loaded, RUNTIME_IMPORTS, "serve").stderr.strip().splitlines()[-1])
    assert imported == ["sklearn", "scipy"]  # its models, loaded before it answers /healthz


def test_a_runtime_without_models_never_imports_their_libraries(loaded: Cli):
    assert json.loads(python(loaded, RUNTIME_IMPORTS, "reads").stderr.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("args", READS[1:], ids=lambda a: a[0])
def test_read_only_commands_print_what_the_desk_prints(loaded: Cli, args: tuple[str, ...]):
    assert loaded.run(*args).stdout == python(loaded, THROUGH_THE_DESK, *args).stdout


def test_digest_post_without_a_chat_platform_says_so(loaded: Cli):
    proc = loaded.run("digest", "--post", check=False)
    assert proc.returncode == 1 and "no chat platform is connected" in proc.stderr


def test_a_file_that_is_not_its_format_imports_nothing(loaded: Cli, tmp_path: Path):
    before = json.loads(loaded.run("causes", "--json").stdout)
    proc = loaded.run("import", "tickets", "samples/tickets.csv", "--format", "zendesk", check=False)
    assert proc.returncode == 2 and "Zendesk" in proc.stderr and "Nothing was imported" in proc.stderr
    after = json.loads(loaded.run("causes", "--json").stdout)["causes"]
    assert [(c["key"], c["tickets"]) for c in after] == [(c["key"], c["tickets"]) for c in before["causes"]]


def test_bad_rows_are_reported_by_line_and_good_rows_kept(loaded: Cli, tmp_path: Path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,created_at,surface,text,priority\n"
        "NEW-1,2026-11-17T10:00:00Z,internal,Printer jams again,normal\n"
        "NEW-2,not a date,internal,Second,normal\n"
        "NEW-3,2026-11-17T11:00:00Z,external,Invoice wrong,extreme\n"
    )
    proc = loaded.run("import", "tickets", str(path), "--format", "csv", check=False)
    assert proc.returncode == 1
    assert "3 rows read, 1 new" in proc.stdout
    assert "line 3" in proc.stdout and "line 4" in proc.stdout


def test_an_unknown_format_is_refused_by_the_parser(loaded: Cli):
    proc = loaded.run("import", "tickets", "x.csv", "--format", "excel", check=False)
    assert proc.returncode == 2 and "invalid choice: 'excel'" in proc.stderr


def test_reclustering_keeps_known_causes_and_applies_only_when_asked(loaded: Cli):
    # Runs last among the `loaded` tests: --apply changes the shared database.
    known = {c["key"] for c in json.loads(loaded.run("causes", "--json").stdout)["causes"]}
    proposal = json.loads(loaded.run("causes", "--recluster", "--json").stdout)
    kept = {p["key"] for p in proposal["proposals"] if p["action"] == "keep"}
    assert kept == known and proposal["applied"] is None
    assert {c["key"] for c in json.loads(loaded.run("causes", "--json").stdout)["causes"]} == known
    fresh = [p for p in proposal["proposals"] if p["action"] in ("new", "split")]
    assert fresh and all(p["key"].startswith("auto-") and p["title"] and p["evidence"] for p in fresh)
    applied = json.loads(loaded.run("causes", "--recluster", "--apply", "--json").stdout)["applied"]
    assert applied["new_causes"] >= 1 and applied["tickets_moved"] >= 1
    after = {c["key"] for c in json.loads(loaded.run("causes", "--json", "--limit", "500").stdout)["causes"]}
    assert known <= after and len(after) > len(known)
    refused = loaded.run("causes", "--apply", check=False)
    assert refused.returncode == 2 and "--apply goes with --recluster" in refused.stderr

def test_a_bad_config_file_stops_with_the_key_named(tmp_path: Path):
    config = tmp_path / "fixloop.toml"
    config.write_text('[teams.net]\nowns = "vpn"\n')
    proc = cli_for(f"sqlite:///{tmp_path / 'x.db'}", config).run("causes", check=False)
    assert proc.returncode == 2 and "teams.net.owns" in proc.stderr


def test_python_dash_m_bot_and_the_console_script_are_the_same_program():
    script = ROOT / ".venv" / "bin" / "fixloop"
    if not script.exists():
        pytest.skip("console script not installed in .venv")
    import subprocess

    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "import" in out and "kpis" in out and "digest" in out
