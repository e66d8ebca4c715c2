"""`fixloop gaps` on the sample ledger: list, draft, publish once, and read the exported article back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_support import Cli, cli_for
from tests.conftest import BACKENDS, empty_database


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A migrated database with the sample knowledge base and tickets, exporting into a scratch folder."""
    folder = tmp_path_factory.mktemp("gaps")
    with empty_database(request.param, folder, "fixloop_gaps") as url:
        cli = cli_for(url)
        cli.env["FIXLOOP_KB_EXPORT_DIR"] = str(folder / "published")
        cli.run("migrate")
        cli.run("import", "kb", "samples/kb")
        cli.run("import", "tickets", "samples/tickets.csv", "--format", "csv")
        yield cli


def test_gaps_are_listed_per_surface_then_drafted_published_once_and_exported(loaded: Cli) -> None:
    listed = json.loads(loaded.run("gaps", "--json").stdout)["gaps"]
    assert set(listed) <= {"internal", "external"} and listed
    first = next(iter(listed.values()))[0]
    counts = [g["tickets"] for gaps in listed.values() for g in gaps]
    assert first["tickets"] >= 2 and all(c >= 2 for c in counts)
    drafted = json.loads(loaded.run("gaps", "--draft", first["key"], "--json").stdout)
    again = json.loads(loaded.run("gaps", "--draft", first["key"], "--json").stdout)
    assert again["draft_id"] == drafted["draft_id"]  # asking twice: one draft
    assert "## Steps that fixed it" in drafted["markdown"]

    refused = loaded.run("gaps", "--publish", drafted["draft_id"], "--as", "nobody", check=False)
    assert refused.returncode == 2 and "Only an agent or leader can do that" in refused.stderr
    published = loaded.run("gaps", "--publish", drafted["draft_id"], "--as", "ana").stdout
    assert "is published" in published and "written to" in published
    twice = loaded.run("gaps", "--publish", drafted["draft_id"], "--as", "ana").stdout
    assert "already; nothing changed" in twice

    folder = Path(loaded.env["FIXLOOP_KB_EXPORT_DIR"])
    imported = loaded.run("import", "kb", str(folder)).stdout
    assert "1 rows read, 0 new, 1 updated" in imported  # the article was already in the knowledge base
    after = json.loads(loaded.run("gaps", "--json").stdout)["gaps"]
    assert first["key"] not in {g["key"] for gaps in after.values() for g in gaps}

    today = datetime.now(UTC).date()
    digest = loaded.run("digest", "--from", str(today - timedelta(days=6)), "--to", str(today + timedelta(days=2)))
    section = digest.stdout.split("Knowledge:")[1]
    assert f"[kb-gap-{drafted['draft_id']}]: solved 0 tickets since" in section
