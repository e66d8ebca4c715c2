"""`fixloop serve` for a person at a terminal (readable logs, where to go next) and for a log collector (JSON)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pexpect
import pytest

from bot import logs
from bot.startup import next_steps
from tests.cli_support import ROOT, Cli, cli_for, free_port


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    cli = cli_for(f"sqlite:///{tmp_path_factory.mktemp('startup') / 'fixloop.db'}")
    cli.run("migrate")
    cli.env.pop("FIXLOOP_LOG_FORMAT", None)
    cli.env.pop("FIXLOOP_LOG_LEVEL", None)
    yield cli


def test_serve_on_a_terminal_logs_readable_lines_without_library_chatter_then_says_where_to_go(migrated: Cli):
    port = free_port()
    child = pexpect.spawn(sys.executable, ["-m", "bot", "serve", "--port", str(port)], cwd=str(ROOT),
                          env=migrated.env, encoding="utf-8", timeout=90)
    try:
        child.expect(r"Connect Teams:.*README\.md, Connect Teams\)\.")
        screen = child.before + child.after
    finally:
        child.terminate(force=True)
    log, _, guide = screen.partition("Fixloop is ready on")
    assert f"INFO    fixloop: Fixloop listening on http://127.0.0.1:{port} " in log
    assert "INFO    fixloop.scheduler: scheduler started as " in log
    assert "apscheduler" not in log and "Adding job tentatively" not in log and '{"ts"' not in log
    assert guide.startswith(f" http://127.0.0.1:{port} ")
    for step in ("chat --as agent", "chat --as leader", "digest", "Connect Slack:", "SLACK_BOT_TOKEN",
                 "MICROSOFT_APP_ID"):
        assert step in guide, step


def test_serve_without_a_terminal_logs_json_lines_with_every_library_and_no_start_up_screen(migrated: Cli):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT,
                            env=migrated.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stderr:  # type: ignore[union-attr]
            lines.append(json.loads(line))
            if lines[-1]["msg"].startswith("Fixloop listening"):
                break
        # Answered only once serve waits for requests: past the point where it would have printed a guide.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert any(line["logger"] == "apscheduler.scheduler" for line in lines)  # a collector keeps everything
    assert lines[-1]["msg"] == f"Fixloop listening on http://127.0.0.1:{port} (GET /healthz, GET /metrics)"
    assert "Fixloop is ready" not in out


def test_the_start_up_screen_says_what_is_connected_and_fits_a_terminal():
    off = next_steps("http://127.0.0.1:3978", slack="off", teams="off", command=".venv/bin/fixloop")
    on = next_steps("http://127.0.0.1:3978", slack="socket", teams="on", command=".venv/bin/fixloop")
    assert ".venv/bin/fixloop chat --as manager  /coaching /review" in off
    assert "Connect Slack" in off and "Connect Teams" in off
    assert "Connect" not in on and "Socket Mode" in on and "/api/messages" in on
    assert len(off.splitlines()) <= 20 and max(len(line) for line in off.splitlines()) <= 90


def test_make_run_asks_for_readable_logs_and_loads_samples_dated_to_end_last_week():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "FIXLOOP_LOG_FORMAT=$${FIXLOOP_LOG_FORMAT:-text} $(BIN)/fixloop serve" in makefile
    assert "generate_tickets.py --recent" in makefile and "import tickets var/sample-tickets.csv" in makefile


def test_a_readable_line_ends_with_its_request_id_before_the_traceback_and_library_info_is_left_out(capsys):
    logs.configure("serve", fmt="text")
    try:
        logs.new_request_id("abc123")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("fixloop.http").exception("failed at 19:09:41.465221 on 127.0.0.1:3978")
        logging.getLogger("apscheduler.scheduler").info("Adding job tentatively")
        logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
    finally:
        logs.REQUEST_ID.set(None)
        logs.configure("chat", fmt="text")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith(" ERROR   fixloop.http: failed at 19:09:41.465221 on 127.0.0.1:3978 [request abc123]")
    assert lines[1] == "Traceback (most recent call last):" and "RuntimeError: boom" in lines
    assert lines[-1].endswith(" WARNING apscheduler.scheduler: Run time of job was missed [request abc123]")
    assert not any("Adding job" in line for line in lines)
