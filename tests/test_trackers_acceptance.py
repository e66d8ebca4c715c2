"""Black box, as the README documents it: file a cause's fix on a fake GitHub, ship it by a signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.cli_support import ROOT, Cli, cli_for
from tests.conftest import BACKENDS, empty_database
from tests.trackers_fake import FakeGithub, serve

SECRET = "-".join(("whsec", "test", "only"))
CAUSE = "access-approval-stuck"
TRACKER = '\n[teams.it-access.tracker]\nkind = "github"\nrepo = "acme/it-access"\n'


@pytest.fixture(scope="module", params=BACKENDS)
def github_cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, FakeGithub]]:
    """The sample ledger loaded, it-access's tracker on a fake GitHub, the three GITHUB_* variables set."""
    folder = tmp_path_factory.mktemp("trackers")
    config = folder / "fixloop.toml"
    config.write_text((ROOT / "fixloop.example.toml").read_text(encoding="utf-8") + TRACKER, encoding="utf-8")
    with empty_database(request.param, folder, "fixloop_trackers") as url, serve(FakeGithub()) as fake:
        cli = cli_for(url, config)
        cli.env.update(GITHUB_TOKEN="-".join(("ghtest", "token")), GITHUB_API_URL=fake.base,
                       GITHUB_WEBHOOK_SECRET=SECRET)
        cli.run("migrate")
        cli.run("import", "tickets", "samples/tickets.csv", "--format", "csv")
        yield cli, fake  # type: ignore[misc]


def _cause(cli: Cli) -> dict[str, object]:
    causes = json.loads(cli.run("causes", "--json").stdout)["causes"]
    return next(c for c in causes if c["key"] == CAUSE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(url: str, body: bytes, secret: str) -> int:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "d-1",
        "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _closed_webhook(number: int, closed_at: str) -> bytes:
    issue = {"number": number, "state": "closed", "state_reason": "completed", "closed_at": closed_at,
             "updated_at": closed_at, "title": "Fix", "html_url": f"https://github.com/acme/it-access/issues/{number}"}
    return json.dumps({"action": "closed", "issue": issue, "repository": {"full_name": "acme/it-access"},
                       "sender": {"login": "octocat"}}).encode()


def _serving(cli: Cli) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=cli.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_filing_a_fix_and_a_signed_close_webhook_ship_it_and_a_wrong_secret_changes_nothing(github_cli):
    cli, fake = github_cli
    assert _cause(cli)["fix_status"] == "none"
    url = cli.run("causes", "file", CAUSE).stdout.strip()
    assert url == "https://github.com/acme/it-access/issues/1"
    assert cli.run("causes", "file", CAUSE).stdout.strip() == url  # filed once, the same URL again
    assert len(fake.issues) == 1 and fake.issues[1].title.startswith("Fix: Access requests stuck")
    assert "Representative tickets" in fake.issues[1].body
    linked = _cause(cli)
    assert linked["fix_status"] == "linked" and linked["fix_url"] == url

    body = _closed_webhook(1, "2026-12-02T10:00:00Z")
    for base in _serving(cli):
        assert _post(f"{base}/webhooks/github", body, "not-the-secret") == 401
        assert _cause(cli)["fix_status"] == "linked"  # refused: nothing changed
        assert _post(f"{base}/webhooks/github", body, SECRET) == 200
        assert _post(f"{base}/webhooks/github", body, SECRET) == 200  # a redelivery: no second effect
    shipped = _cause(cli)
    assert shipped["fix_status"] == "shipped"
    assert shipped["fix_shipped_at"] == "2026-12-02T10:00:00+00:00"
    cli.run("import", "tickets", "samples/tickets.csv", "--format", "csv")  # an export that knows no fix
    assert _cause(cli)["fix_shipped_at"] == "2026-12-02T10:00:00+00:00"  # the tracker's fix is kept
    audit = json.loads(cli.run("audit", "--json").stdout)
    entries = audit if isinstance(audit, list) else audit.get("entries", [])
    assert [e["action"] for e in entries if e.get("cause_key") == CAUSE].count("fix_shipped") == 1


def test_filing_for_a_team_without_a_tracker_says_what_to_configure(github_cli):
    cli, _ = github_cli
    result = cli.run("causes", "file", "csv-export-timeout", check=False)
    assert result.returncode == 2
    assert "[teams.data-platform.tracker]" in result.stderr


def test_the_cli_asks_for_the_cause_key(github_cli):
    cli, _ = github_cli
    result = cli.run("causes", "file", check=False)
    assert result.returncode == 2 and "CAUSE_KEY" in result.stderr
