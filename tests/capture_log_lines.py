"""Capture real log lines of `fixloop serve` and `fixloop worker`, as the code logged them (before redaction).

    .venv/bin/python -m tests.capture_log_lines [--out tests/data/logs/serve_worker.jsonl]

Both run as processes (queued intake, DEBUG level) against a fake Slack, a fake Bot Connector and a fake
language model on 127.0.0.1, and get a working day's kinds of traffic: start-up, the scheduler catching
up the digest and coaching, Slack DMs (some carrying an e-mail, a phone number or a token), a redelivery,
a forged request, a button click, Teams messages, Slack answering 429 and 500, health and metrics checks,
shutdown. Each record is written as {"process", "logger", "level", "msg"}: the input of
tests/test_log_lines.py, which checks that redaction keeps every such line intact but the planted data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from tests.cli_support import free_port, healthy
from tests.fake_secrets import SLACK_BOT_TOKEN, fake
from tests.llm_fake import serve_openai
from tests.slack_fake import BOT_USER, EMPLOYEE, SECRET, TEAM, FakeSlack, send
from tests.teams_fake import DM, FakeConnector, message

ROOT = Path(__file__).resolve().parent.parent
CHATTY = {"aiosqlite", "matplotlib.font_manager"}  # thousands of lines, all alike
OUT = ROOT / "tests" / "data" / "logs" / "serve_worker.jsonl"
# Personal data and a secret planted in what people write; each must leave the log as its placeholder.
PLANTED = {"eve.employee@example.com": "[EMAIL]", "+44 20 7946 0958": "[PHONE]", fake("xoxp"): "[TOKEN]"}
TOKEN_MARK = "{fake xoxp token}"  # stored instead of the token itself: no token-shaped literal is committed
WORDS = [f"call me on {'+44 20 7946 0958'} or write to eve.employee@example.com",
         f"the coffee machine shows E42 and wants the service token {fake('xoxp')}", "VPN fails since this morning",
         "my laptop cannot reach the printer on floor 3", "CSV export of 250,000 contacts times out (504)"]


def record_raw(path: Path) -> None:
    """In this process: write every record's message, as logged, before the redacting filter rewrites it."""
    from adapters import logredact

    out = path.open("a", encoding="utf-8")
    redact = logredact.RedactingFilter.filter

    def recording(self: logredact.RedactingFilter, record: logging.LogRecord) -> bool:
        if not getattr(record, "fixloop_redacted", False):
            message = record.getMessage().replace(fake("xoxp"), TOKEN_MARK)
            entry = {"logger": record.name, "level": record.levelname, "msg": message}
            out.write(json.dumps({"process": path.stem, **entry}, ensure_ascii=False) + "\n")
            out.flush()
        return redact(self, record)

    logredact.RedactingFilter.filter = recording  # type: ignore[method-assign]


def stored_records(path: Path = OUT) -> list[dict[str, str]]:
    """The captured records, each message as it was logged (the fake token put back)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{**r, "msg": r["msg"].replace(TOKEN_MARK, fake("xoxp"))} for r in records]


def environment(folder: Path, slack: str, llm: str) -> dict[str, str]:
    """Slack and Teams (development, no app id) on, queued intake, a config whose weekly jobs just fell due."""
    text = (ROOT / "fixloop.example.toml").read_text(encoding="utf-8")
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    for job, ago in (("digest", 3), ("coaching", 2)):  # missed minutes ago: the start-up sweep runs them
        due = now - timedelta(minutes=ago)
        old = text[text.index(f"[schedule.{job}]"):].split("\n\n")[0]
        text = text.replace(old, f'[schedule.{job}]\nday = "{due.strftime("%a").lower()}"\ntime = "{due:%H:%M}"')
    (folder / "fixloop.toml").write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    return env | {
        "DATABASE_URL": f"sqlite:///{folder / 'fixloop.db'}", "FIXLOOP_CONFIG": str(folder / "fixloop.toml"),
        "SLACK_BOT_TOKEN": SLACK_BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack,
        "OPENAI_API_KEY": fake("sk"), "OPENAI_BASE_URL": llm, "FIXLOOP_ENV": "development",
        "FIXLOOP_INTAKE": "queued", "FIXLOOP_LOG_FORMAT": "json", "FIXLOOP_LOG_LEVEL": "DEBUG",
        "FIXLOOP_SWEEP_SECONDS": "1", "PYTHONPATH": str(ROOT),
    }


def start(kind: str, args: list[str], env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    code = f"import sys; from tests.capture_log_lines import record_raw; record_raw(__import__('pathlib').Path(" \
           f"{str(folder / (kind + '.jsonl'))!r})); from bot.cli import main; sys.exit(main({args!r}))"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def slack_event(i: int, text: str) -> str:
    return json.dumps({
        "token": "legacy", "team_id": TEAM, "api_app_id": "A0FIX", "type": "event_callback",
        "event_id": f"Ev0CAPTURE{i:02d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        "event": {"type": "message", "channel": "D0EMP", "channel_type": "im", "user": EMPLOYEE,
                  "text": text, "ts": f"{int(time.time())}.{i:06d}"},
    })


async def traffic(base: str, slack: FakeSlack, connector: FakeConnector, serve: subprocess.Popen[bytes]) -> None:
    """A working day's kinds of requests, each waited on where it leaves a trace."""
    await healthy(base, serve)
    async with aiohttp.ClientSession() as session:
        slack.fail("chat.postMessage", 429, times=1, Retry_After="1")
        for i, text in enumerate(WORDS):
            await send(session, base, slack_event(i, text), 0)
        await send(session, base, slack_event(0, WORDS[0]), 1)  # Slack's redelivery of the first
        await session.post(f"{base}/slack/events", data=b"{}", headers={"X-Slack-Signature": "v0=forged"})
        await slack.wait_for("chat.postMessage", len(WORDS), within=60)
        slack.fail("chat.postMessage", 500, times=2)
        for i, text in enumerate(WORDS[:3]):
            activity = message(text, id=f"17{i:011d}")
            await session.post(f"{base}/api/messages", json={"serviceUrl": connector.url, **activity})
        await connector.wait_for("posted", 1, within=60, where=lambda c: c.conversation == DM)
        await session.get(f"{base}/metrics")
        await slack.wait_for("chat.postMessage", len(WORDS) + 2, within=60)


def load_samples(env: dict[str, str], folder: Path) -> None:
    """The database as `make run` leaves it: migrated, the knowledge base and last week's sample tickets."""
    ledger = str(folder / "tickets.csv")
    subprocess.run([sys.executable, "samples/generate_tickets.py", "--recent", "--out", ledger], cwd=ROOT,
                   check=True, capture_output=True)
    for step in (["migrate"], ["import", "kb", "samples/kb"], ["import", "tickets", ledger, "--format", "csv"]):
        subprocess.run([sys.executable, "-m", "bot", *step], cwd=ROOT, env=env, check=True, capture_output=True)


async def capture() -> list[str]:
    slack, connector = FakeSlack(), FakeConnector()
    await slack.server.start_server()
    await connector.server.start_server()
    async with serve_openai() as (_, llm):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            env = environment(folder, slack.url, llm)
            await asyncio.to_thread(load_samples, env, folder)
            port = free_port()
            processes = [start("serve", ["serve", "--port", str(port)], env, folder),
                         start("worker", ["worker"], env, folder)]
            try:
                await traffic(f"http://127.0.0.1:{port}", slack, connector, processes[0])
            finally:
                for process in processes:
                    process.send_signal(signal.SIGINT)
                    await asyncio.to_thread(process.wait, 60)  # the fakes in this loop keep answering
            lines = [line for kind in ("serve", "worker") for line in (folder / f"{kind}.jsonl").open()]
    await slack.server.close()
    await connector.server.close()
    return trimmed(lines)


def trimmed(lines: list[str], chatty: int = 10) -> list[str]:
    """Each distinct record once; of the chattiest DEBUG loggers (thousands of lines), the first few."""
    seen: Counter[tuple[str, str]] = Counter()
    kept, messages = [], set()
    for line in lines:
        record = json.loads(line)
        key = (record["process"], record["logger"])
        seen[key] += 1
        if record["logger"] in CHATTY and seen[key] > chatty or record["msg"] in messages:
            continue
        messages.add(record["msg"])
        kept.append(line)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args(argv).out
    lines = asyncio.run(capture())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {len(lines)} log records to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
