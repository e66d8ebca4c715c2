"""`fixloop chat` driven through a pseudo-terminal as a person types, and `fixloop serve` answering /healthz."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from bot.chat import describe
from core.ports import Notice
from tests.cli_support import ROOT, Cli, cli_for

TICKET = re.compile(r"Ticket (FX-[A-Z0-9]{6}) is logged")


@pytest.fixture(scope="module")
def chat_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """An SQLite database with the sample knowledge base (no ticket history, so the queue is ours)."""
    path = tmp_path_factory.mktemp("chat") / "chat.db"
    cli = cli_for(f"sqlite:///{path}")
    cli.run("migrate")
    cli.run("import", "kb", "samples/kb")
    yield cli


def _spawn(cli: Cli, role: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "bot", "chat", "--as", role], cwd=str(ROOT), env=cli.env,
                          encoding="utf-8", timeout=60)
    child.expect("Type /help")
    child.expect("> ")
    return child


def _say(child: pexpect.spawn, line: str, expect: str | list[str]) -> str:
    child.sendline(line)
    child.expect(expect)
    before = child.before + child.after
    child.expect("> ")
    return before


def test_an_employee_asks_gets_articles_and_solves_it(chat_db: Cli):
    child = _spawn(chat_db, "employee")
    out = _say(child, "My VPN keeps disconnecting every few minutes at home", r"Did one solve it\?")
    assert TICKET.search(out) and "1. " in out
    assert "resolved by kb-" in _say(child, "solved 1", r"resolved by kb-[a-z0-9-]+")
    child.sendline("/quit")
    child.expect(pexpect.EOF)


def test_the_whole_loop_from_request_to_review(chat_db: Cli):
    employee = _spawn(chat_db, "employee")
    out = _say(employee, "The office coffee machine shows error E42", [r"No article fits", r"Did one solve it\?"])
    ticket = TICKET.search(out).group(1)
    _say(employee, "help", "in the queue for a person")

    agent = _spawn(chat_db, "agent")
    assert ticket in _say(agent, "/queue", ticket)
    _say(agent, f"/reply {ticket} Tried a restart at 10:05, error E42 persists", ticket)
    out = _say(agent, f"/escalate {ticket} it-endpoint machine firmware", r"ESC-[0-9A-F]{8}")
    escalation = re.search(r"ESC-[0-9A-F]{8}", out).group(0)
    assert "it-endpoint" in out
    _say(agent, f"/judge {escalation} needed", "judged needed")
    _say(agent, f"/rootcause {ticket} Coffee machine firmware bug after the update", "Root cause recorded")
    _say(agent, f"/fix {ticket} https://jira.example.com/browse/FAC-7", "fix linked")
    _say(agent, f"/resolve {ticket}", "resolved")
    _say(agent, "/take FX-NOPE00", "No ticket")
    agent.sendline("/quit")

    _say(employee, f"/rate {ticket} 2", "reopened")

    manager = _spawn(chat_db, "manager")
    manager.sendline(f"/review {ticket}")
    for answer in ("Agent escalated after one restart", "Machine down for the floor",
                   "Check the firmware page first", "Add the firmware check to the runbook"):
        manager.expect(": ")
        manager.sendline(answer)
    manager.expect(r"Send to the agent\? \[y/N\] ")
    manager.sendline("y")
    manager.expect(r"Review REV-[0-9A-F]{8} stored")
    manager.expect("> ")
    manager.sendline("/quit")

    leader = _spawn(chat_db, "leader")
    assert "coffee-machine-firmware-bug" in _say(leader, "/causes", "coffee-machine-firmware-bug")
    _say(leader, "/escalate FX-AAAAAA", "Only an agent can do that")
    leader.sendline("/quit")
    employee.sendline("/quit")
    for child in (employee, agent, manager, leader):
        child.expect(pexpect.EOF)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_healthz(chat_db: Cli, tmp_path: Path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT,
                            env=chat_db.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = json.loads(response.read())
            except OSError:
                time.sleep(0.3)
        assert body is not None and body["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_an_employee_sees_their_own_notices_and_only_that_staff_posts_were_made():
    triage = Notice(kind="triage", to="triage", text="FX-1 from emp-1: *salary* question")
    mine = Notice(kind="status", to="person:emp-1", text="An agent replied")
    assert describe(triage, role="employee", user="emp-1") == "  (passed on to triage)"
    assert describe(mine, role="employee", user="emp-1") == "  [status -> person:emp-1] An agent replied"
    reply = Notice(kind="reply", to="thread:FX-1", text="*Ana*: try again now")
    assert describe(reply, role="employee", user="emp-1") == "  [reply -> thread:FX-1] *Ana*: try again now"
    assert describe(triage, role="agent", user="ag-1") == "  [triage -> triage] FX-1 from emp-1: *salary* question"
